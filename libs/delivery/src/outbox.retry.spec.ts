import { decideRetry, OUTBOX_MAX_ATTEMPTS, retryDelayMs } from './outbox.retry';

describe('outbox retry schedule', () => {
  it('waits 5 s after the first failure, then doubles', () => {
    expect([1, 2, 3, 4, 5].map(retryDelayMs)).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
  });

  it('retries until the last attempt, then gives up', () => {
    expect(decideRetry(1)).toEqual({ action: 'retry', delayMs: 5_000 });
    expect(decideRetry(OUTBOX_MAX_ATTEMPTS - 1).action).toBe('retry');
    expect(decideRetry(OUTBOX_MAX_ATTEMPTS)).toEqual({ action: 'dead' });
    expect(decideRetry(3, 3)).toEqual({ action: 'dead' });
  });

  it('makes at least 8 attempts over at least an hour before a row is dead (API.md)', () => {
    let elapsedMs = 0;
    let attempts = 1;
    for (let d = decideRetry(attempts); d.action === 'retry'; d = decideRetry(attempts)) {
      elapsedMs += d.delayMs;
      attempts++;
    }
    expect(attempts).toBeGreaterThanOrEqual(8);
    expect(elapsedMs).toBeGreaterThanOrEqual(3_600_000);
    // ...and not absurdly longer: the last try comes within a day.
    expect(elapsedMs).toBeLessThan(86_400_000);
  });

  it('refuses attempt numbers that are not positive integers', () => {
    expect(() => retryDelayMs(0)).toThrow(RangeError);
    expect(() => retryDelayMs(1.5)).toThrow(RangeError);
  });
});
