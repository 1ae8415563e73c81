import { verifyTokenLoad } from '../lib/grpc-load';
import type { Scenario } from './scenario';

/** The figure: 64 calls in flight. */
export const VERIFY_IN_FLIGHT = 64;
/** HTTP/2 connections of the client pool (a service with a few channels, not one per call). */
export const VERIFY_CHANNELS = 4;
/** Distinct tokens (sessions, users) verified round robin. */
export const VERIFY_TOKENS = 256;

/**
 * gRPC `identity.v1.IdentityService/VerifyToken` on the app's gRPC port: signature and claims,
 * the denylist (Redis), the user's lock state and permissions (access cache). The ceiling
 * runs the same client pool against a bare grpc-js server doing only the jose verify.
 */
export const verifyScenario: Scenario = {
  name: 'verify',
  summary: 'gRPC VerifyToken, 64 in flight over 4 channels, 256 distinct tokens',
  async run(ctx) {
    const tokens = (await ctx.sessions(VERIFY_TOKENS)).map((s) => s.accessToken);
    const load = (durationS: number) =>
      verifyTokenLoad({
        address: ctx.primary.grpcAddress,
        inFlight: VERIFY_IN_FLIGHT,
        channels: VERIFY_CHANNELS,
        durationS,
        tokens,
      });
    await load(ctx.options.warmupS);
    const measured = await ctx.measured(() => load(ctx.options.durationS));
    return {
      ...measured,
      params: { inFlight: VERIFY_IN_FLIGHT, channels: VERIFY_CHANNELS, tokens: tokens.length },
      checks: {},
    };
  },
};
