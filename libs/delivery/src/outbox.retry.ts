/** Delay after the first failed attempt (API.md: "retried after about 5 s"). */
export const FIRST_RETRY_DELAY_MS = 5_000;

/**
 * Attempts before a row is dead. API.md asks for at least 8 attempts over at least an hour.
 * With delays of 5 s doubling, attempt n happens 5 s × (2^(n-1) − 1) after the first, so
 * attempt 10 comes at ~43 min (too early) and attempt 11 at ~85 min: 11 is the smallest
 * count that spans the hour.
 */
export const OUTBOX_MAX_ATTEMPTS = 11;

/** What to do after a failed attempt. */
export type RetryDecision = { action: 'retry'; delayMs: number } | { action: 'dead' };

/** Delay before the next try once attempt `attempt` (1-based) has failed: 5 s × 2^(attempt-1). */
export function retryDelayMs(attempt: number): number {
  if (!Number.isInteger(attempt) || attempt < 1) throw new RangeError('attempt counts from 1');
  return FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1);
}

/**
 * Retry or give up, once attempt `attempt` (1-based) has failed.
 * @throws RangeError when `attempt` is not a positive integer.
 */
export function decideRetry(attempt: number, maxAttempts = OUTBOX_MAX_ATTEMPTS): RetryDecision {
  const delayMs = retryDelayMs(attempt);
  return attempt >= maxAttempts ? { action: 'dead' } : { action: 'retry', delayMs };
}
