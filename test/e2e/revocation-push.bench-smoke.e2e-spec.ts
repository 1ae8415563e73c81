/**
 * Smoke run of the push-latency bench (bench/push-latency.ts) at toy size, so the bench keeps
 * working: two real app processes on one Postgres and Redis, sockets spread over both,
 * revocations sent to the same and to the other instance, every push received in time.
 */
import { formatPushBench, runPushLatencyBench } from '../../bench/push-latency';

describe('push-latency bench (tiny)', () => {
  it('measures p50/p99 over both instances and misses nothing', async () => {
    const result = await runPushLatencyBench({ sockets: 24, revocations: 8, sessionsPerUser: 4 });
    expect(result.sockets).toBe(24);
    expect(result.perInstance).toEqual([12, 12]);
    expect(result.missed).toBe(0);
    expect(result.sameInstance.count).toBe(4);
    expect(result.crossInstance.count).toBe(4);
    expect(result.all.p50).toBeLessThanOrEqual(result.all.p99);
    expect(result.all.p99).toBeLessThan(1_000);
    expect(formatPushBench(result)).toMatch(/cross instance/);
  }, 120_000);
});
