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
export async function verifyLoad(
  address: string,
  token: string,
  durationS: number,
  concurrency = VERIFY_IN_FLIGHT,
): Promise<LoadResult> {
  const r = await runLoad({
    target: { address, token },
    concurrency,
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

/**
 * The same load split evenly over several instances at once (64 in flight in total).
 * Throughputs add up; p50 and p99 are the worst instance's (an upper bound: `runLoad` gives
 * no samples to merge).
 */
export async function verifyLoadOver(
  addresses: readonly string[],
  token: string,
  durationS: number,
): Promise<LoadResult> {
  if (addresses.length === 1) return verifyLoad(addresses[0] ?? '', token, durationS);
  const each = Math.max(1, Math.floor(VERIFY_IN_FLIGHT / addresses.length));
  const parts = await Promise.all(addresses.map((a) => verifyLoad(a, token, durationS, each)));
  const errorKinds: Record<string, number> = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + v;
  }
  const sum = (pick: (p: LoadResult) => number) => parts.reduce((a, p) => a + pick(p), 0);
  const worst = (pick: (p: LoadResult) => number) => Math.max(...parts.map(pick));
  return {
    throughput: round(
      sum((p) => p.throughput),
      1,
    ),
    ok: sum((p) => p.ok),
    errors: sum((p) => p.errors),
    errorKinds,
    seconds: worst((p) => p.seconds),
    latency: {
      count: sum((p) => p.latency.count),
      p50: worst((p) => p.latency.p50),
      p99: worst((p) => p.latency.p99),
      max: parts.every((p) => p.latency.max !== null) ? worst((p) => p.latency.max ?? 0) : null,
    },
  };
}
