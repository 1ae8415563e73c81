import { performance } from 'node:perf_hooks';
import { LatencyRecorder, type LatencySummary, round } from './latency';

/** What a closed loop measured: completed operations, failures and per-operation latency. */
export interface ClosedLoopResult {
  ops: number;
  errors: number;
  /** First few distinct error messages, for the report. */
  errorSamples: string[];
  seconds: number;
  opsPerSecond: number;
  latency: LatencySummary;
}

export interface ClosedLoopOptions {
  /** Operations kept in flight: each worker starts its next one when the last one ends. */
  concurrency: number;
  durationMs: number;
  /** Called once per operation with a running index (to spread work over tokens, rows...). */
  op: (index: number) => Promise<void>;
}

/**
 * Runs `op` with a fixed number in flight for a fixed time (a closed loop, like a client pool
 * with `concurrency` outstanding calls). Bounded by the deadline: no new operation starts
 * after it, and the result counts operations that completed before it.
 */
export async function closedLoop(options: ClosedLoopOptions): Promise<ClosedLoopResult> {
  const latency = new LatencyRecorder();
  const errorSamples = new Set<string>();
  let ops = 0;
  let errors = 0;
  let index = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await options.op(index++);
        const t1 = performance.now();
        if (t1 <= deadline) {
          ops += 1;
          latency.record(t1 - t0);
        }
      } catch (err) {
        errors += 1;
        if (errorSamples.size < 5)
          errorSamples.add(err instanceof Error ? err.message : String(err));
        // A failing op may reject at once: yield, so a broken target cannot starve the loop.
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, () => worker()));
  const seconds = Math.min(performance.now(), deadline) - started;
  return {
    ops,
    errors,
    errorSamples: [...errorSamples],
    seconds: round(seconds / 1000, 3),
    opsPerSecond: round(ops / (seconds / 1000), 1),
    latency: latency.summary(),
  };
}
