import type { TokenCheck } from '../child/jose-loop.role';
import { httpLoad } from '../lib/http-load';
import { ME_CONNECTIONS } from '../scenarios/me';
import { REFRESH_CONNECTIONS } from '../scenarios/refresh';
import { VERIFY_IN_FLIGHT, verifyLoad } from '../lib/verify-load';
import type { CeilingContext, CeilingName, CeilingResult } from './ceilings';
import { loopCeiling, serverCeiling } from './runners';

/** What every ceiling gets: the run's context, tokens of the app and how to verify them. */
export interface CeilingEnv extends CeilingContext {
  /** A token of the app, and how the app verifies it. */
  check: TokenCheck;
}

/** The app's DATABASE_POOL_SIZE default: the pg ceiling queues on as many connections. */
const APP_POOL_SIZE = 10;

/**
 * The ceilings of this machine, each measured with the load shape of the scenario it bounds
 * (same concurrency, same client code), in a process of its own.
 */
export const CEILING_DEFINITIONS: Record<CeilingName, (env: CeilingEnv) => Promise<CeilingResult>> =
  {
    argon2: (env) =>
      loopCeiling(env, {
        name: 'argon2',
        summary:
          'argon2id verify, the app’s parameters, secret, threadpool size and hashes at once',
        role: 'argon2',
        // As many verifies in flight as the app computes at once (ARGON2_CONCURRENCY): on this
        // machine that is also the fastest setting (bench/README.md).
        run: { ...env.fleet.config.argon2 },
        params: {
          ...env.fleet.config.argon2,
          threadpool: env.fleet.config.threadpool ?? '4 (default)',
        },
      }),
    'pg-tx': (env) =>
      loopCeiling(env, {
        name: 'pg-tx',
        summary: 'BEGIN; SELECT … FOR UPDATE; UPDATE; INSERT; COMMIT on one row (node-postgres)',
        role: 'pg-tx',
        args: { url: env.databaseUrl, poolSize: APP_POOL_SIZE },
        run: { concurrency: REFRESH_CONNECTIONS, rows: env.options.families },
        params: {
          concurrency: REFRESH_CONNECTIONS,
          rows: env.options.families,
          pool: APP_POOL_SIZE,
        },
      }),
    express: (env) =>
      serverCeiling(env, {
        name: 'express',
        summary: 'bare express JSON endpoint, 64 connections',
        role: 'bare-express',
        load: (child, durationS) =>
          httpLoad({
            url: child.info.url ?? '',
            connections: ME_CONNECTIONS,
            durationS,
            requestsFor: () => [{ method: 'GET', path: '/me' }],
          }),
        params: { connections: ME_CONNECTIONS },
      }),
    jose: (env) =>
      loopCeiling(env, {
        name: 'jose',
        summary: `jose jwtVerify of the app’s token (${env.check.alg}), in one process`,
        role: 'jose',
        run: { concurrency: VERIFY_IN_FLIGHT, ...env.check },
        params: { concurrency: VERIFY_IN_FLIGHT, alg: env.check.alg },
      }),
    'grpc-echo': (env) => grpcCeiling(env, 'echo'),
    'grpc-jose': (env) => grpcCeiling(env, 'jose'),
  };

function grpcCeiling(env: CeilingEnv, mode: 'echo' | 'jose'): Promise<CeilingResult> {
  const what = mode === 'echo' ? 'answers at once' : 'jose verify only (grpc-verify.ts)';
  return serverCeiling(env, {
    name: `grpc-${mode}`,
    summary: `bare grpc-js VerifyToken, ${what}; same driver as verify`,
    role: 'bare-grpc',
    args: { mode, key: env.check },
    load: (child, durationS) => verifyLoad(child.info.address ?? '', env.check.token, durationS),
    params: { inFlight: VERIFY_IN_FLIGHT, channels: 4 },
  });
}
