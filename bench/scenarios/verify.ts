import { VERIFY_IN_FLIGHT, verifyLoadOver } from '../lib/verify-load';
import type { Scenario } from './scenario';

/**
 * gRPC `identity.v1.IdentityService/VerifyToken` on the app's gRPC port, driven by
 * `bench/grpc-verify.ts` (64 in flight over four channels, one signed-in user's token):
 * signature and claims, the denylist (Redis), the user's lock state and permissions (access
 * cache). The ceiling is the same driver against a bare grpc-js server doing only the jose
 * verify (`grpc-verify.ts`'s `startBareVerifier`).
 */
export const verifyScenario: Scenario = {
  name: 'verify',
  summary: 'gRPC VerifyToken, 64 in flight over 4 channels (bench/grpc-verify.ts driver)',
  async run(ctx) {
    const [session] = await ctx.sessions(1);
    const token = session?.accessToken ?? '';
    const addresses = ctx.targets.map((t) => t.grpcAddress);
    await verifyLoadOver(addresses, token, ctx.options.warmupS);
    const measured = await ctx.measured(() =>
      verifyLoadOver(addresses, token, ctx.options.durationS),
    );
    return {
      ...measured,
      params: {
        inFlight: VERIFY_IN_FLIGHT,
        channels: 4 * addresses.length,
        tokens: 1,
        instances: addresses.length,
      },
      checks: {},
    };
  },
};
