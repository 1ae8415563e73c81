import { LimiterHealth } from './limiter-health';

describe('LimiterHealth', () => {
  const quiet = (): LimiterHealth => {
    const health = new LimiterHealth();
    // Keep the once-per-outage warnings out of the test output.
    Object.assign(health, { logger: { warn: () => undefined, log: () => undefined } });
    return health;
  };

  it('is degraded after a call the insurance limiter answered, and heals on the next one', async () => {
    const health = quiet();
    expect(health.degraded).toBe(false);

    await health.track(() => {
      health.recordFallback();
      return Promise.resolve(1);
    });
    expect(health.degraded).toBe(true);

    await health.track(() => Promise.resolve(2));
    expect(health.degraded).toBe(false);
  });

  it('counts an over-limit rejection from Redis as Redis answering', async () => {
    const health = quiet();
    await health.track(() => Promise.resolve(health.recordFallback()));
    await expect(health.track(() => Promise.reject(new Error('over limit')))).rejects.toThrow();
    expect(health.degraded).toBe(false);
  });

  it('stays degraded while a concurrent call fell back', async () => {
    const health = quiet();
    let finishClean: () => void = () => undefined;
    const clean = health.track(() => new Promise<void>((resolve) => (finishClean = resolve)));
    await health.track(() => Promise.resolve(health.recordFallback()));
    finishClean();
    await clean;
    // The clean call cannot tell it did not fall back itself: it errs towards "degraded".
    expect(health.degraded).toBe(true);
  });
});
