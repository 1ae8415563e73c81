/**
 * Smoke run of the SDK guard bench (bench/sdk-guard.ts) at toy size, so the bench keeps
 * working: a real platform process, the reporting demo as a real process in both modes, load,
 * gRPC calls counted on the platform, revocations seen by the demo.
 */
import { formatSdkBench, runSdkGuardBench } from '../../bench/sdk-guard';

describe('SDK guard bench (tiny)', () => {
  it('measures both modes; the SDK makes no VerifyToken call and misses no revocation', async () => {
    const result = await runSdkGuardBench({
      durationS: 1,
      warmupS: 1,
      connections: 4,
      users: 3,
      revocations: 3,
    });
    for (const mode of [result.local, result.platform]) {
      expect(mode.load.ok).toBeGreaterThan(0);
      expect(mode.load.errors).toBe(0);
      expect(mode.revocationDelay).toMatchObject({ count: 3, missed: 0 });
    }
    expect(result.local.perRequest.verifyToken).toBe(0);
    expect(result.platform.perRequest.verifyToken).toBeGreaterThanOrEqual(1);
    expect(result.local.revocationDelay.p99).toBeLessThan(1_000);
    expect(formatSdkBench(result)).toMatch(/\| local \|/);
  }, 180_000);
});
