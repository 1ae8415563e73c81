import { closedLoop } from '../lib/closed-loop';
import type { LoopResult, LoopRun } from './protocol';
import type { UsageMeter } from './usage-meter';

/** Warms `op` up, then measures it in a closed loop with this process's usage over the window. */
export async function measureLoop(
  meter: UsageMeter,
  run: LoopRun,
  op: (index: number) => Promise<void>,
): Promise<LoopResult> {
  if (run.warmupMs > 0) {
    await closedLoop({ concurrency: run.concurrency, durationMs: run.warmupMs, op });
  }
  meter.reset();
  const result = await closedLoop({ concurrency: run.concurrency, durationMs: run.durationMs, op });
  return { ...result, usage: meter.read() };
}
