import {
  decideWebhookRetry,
  isDead,
  nextAttemptDelay,
  WEBHOOK_FIRST_RETRY_DELAY_MS,
  WEBHOOK_MAX_ATTEMPTS,
} from './webhook-retry';

const HOUR_MS = 3_600_000;
const lowest = () => 0;
const highest = () => 1;
const middle = () => 0.5;

/** A small deterministic PRNG (mulberry32), so the random sweep is repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Attempts made and total wait until the schedule says dead, drawing jitter from `random`. */
function walk(random: () => number): { attempts: number; spanMs: number; delays: number[] } {
  const delays: number[] = [];
  let attempts = 1;
  while (!isDead(attempts)) {
    delays.push(nextAttemptDelay(attempts, random));
    attempts++;
  }
  return { attempts, spanMs: delays.reduce((a, b) => a + b, 0), delays };
}

describe('webhook retry schedule', () => {
  it('waits about 5 s after the first failure (±20 %)', () => {
    expect(WEBHOOK_FIRST_RETRY_DELAY_MS).toBe(5_000);
    expect(nextAttemptDelay(1, middle)).toBe(5_000);
    expect(nextAttemptDelay(1, lowest)).toBe(4_000);
    expect(nextAttemptDelay(1, highest)).toBe(6_000);
  });

  it('doubles the nominal delay after each further failure', () => {
    expect([1, 2, 3, 4, 5].map((n) => nextAttemptDelay(n, middle))).toEqual([
      5_000, 10_000, 20_000, 40_000, 80_000,
    ]);
  });

  it('keeps every jittered delay within ±20 % of its nominal value', () => {
    const random = seeded(42);
    for (let attempts = 1; attempts < WEBHOOK_MAX_ATTEMPTS; attempts++) {
      const nominal = 5_000 * 2 ** (attempts - 1);
      for (let i = 0; i < 200; i++) {
        const delay = nextAttemptDelay(attempts, random);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(nominal * 0.8));
        expect(delay).toBeLessThanOrEqual(Math.ceil(nominal * 1.2));
      }
    }
  });

  it('actually jitters: the same attempt gets different delays from different draws', () => {
    const random = seeded(7);
    const delays = new Set(Array.from({ length: 20 }, () => nextAttemptDelay(3, random)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it('makes at least 8 attempts over at least an hour even when every draw is the shortest', () => {
    const worst = walk(lowest);
    expect(worst.attempts).toBeGreaterThanOrEqual(8);
    expect(worst.spanMs).toBeGreaterThanOrEqual(HOUR_MS);
  });

  it('gives up within a day even when every draw is the longest', () => {
    const best = walk(highest);
    expect(best.attempts).toBe(WEBHOOK_MAX_ATTEMPTS);
    expect(best.spanMs).toBeLessThan(24 * HOUR_MS);
  });

  it('spans at least an hour for any draw sequence (seeded sweep)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { attempts, spanMs } = walk(seeded(seed));
      expect(attempts).toBeGreaterThanOrEqual(8);
      expect(spanMs).toBeGreaterThanOrEqual(HOUR_MS);
    }
  });

  it('is dead exactly at the last attempt', () => {
    expect(isDead(1)).toBe(false);
    expect(isDead(WEBHOOK_MAX_ATTEMPTS - 1)).toBe(false);
    expect(isDead(WEBHOOK_MAX_ATTEMPTS)).toBe(true);
    expect(isDead(WEBHOOK_MAX_ATTEMPTS + 5)).toBe(true);
  });

  it('answers retry or dead in the shape the outbox worker uses', () => {
    expect(decideWebhookRetry(1, middle)).toEqual({ action: 'retry', delayMs: 5_000 });
    expect(decideWebhookRetry(WEBHOOK_MAX_ATTEMPTS, middle)).toEqual({ action: 'dead' });
  });

  it('refuses nonsense input', () => {
    for (const n of [0, -1, 1.5, Number.NaN]) {
      expect(() => isDead(n)).toThrow(RangeError);
      expect(() => nextAttemptDelay(n, middle)).toThrow(RangeError);
    }
    expect(() => nextAttemptDelay(WEBHOOK_MAX_ATTEMPTS, middle)).toThrow(RangeError);
    expect(() => nextAttemptDelay(1, () => 1.5)).toThrow(RangeError);
    expect(() => nextAttemptDelay(1, () => Number.NaN)).toThrow(RangeError);
  });
});
