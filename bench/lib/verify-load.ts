import { runLoad } from '../grpc-verify';
import type { LoadResult } from './http-load';
import { round } from './latency';

/** VerifyToken calls in flight (the figure). */
export const VERIFY_IN_FLIGHT = 64;

/**
 * VerifyToken load through `bench/grpc-verify.ts`'s client pool (its `runLoad`: `concurrency`
 * calls in flight over four channels, one token), in this harness's result shape. The same
 * driver loads the app and the bare ceilings, so their ratio compares servers, not clients.
 * An inactive verdict counts as an error: the token is valid throughout.
 */
export async function verifyLoad(address: string, token: string, durationS: number) {
  const r = await runLoad({
    target: { address, token },
    concurrency: VERIFY_IN_FLIGHT,
    durationMs: durationS * 1000,
  });
  // `runLoad` reports p50/p99 only; a `maxMs` it may grow is taken when present.
  const max = (r as typeof r & { maxMs?: number }).maxMs;
  const ok = r.calls - r.errors - r.inactive;
  const errorKinds: Record<string, number> = {};
  if (r.errors > 0) errorKinds.grpc_error = r.errors;
  if (r.inactive > 0) errorKinds.inactive = r.inactive;
  const result: LoadResult = {
    throughput: round(ok / r.seconds, 1),
    ok,
    errors: r.errors + r.inactive,
    errorKinds,
    seconds: round(r.seconds, 3),
    latency: { count: r.calls, p50: round(r.p50Ms), p99: round(r.p99Ms), max: max ?? null },
  };
  return result;
}
