import type { RetryDecision } from '../outbox.retry';

/** Nominal delay after the first failed attempt (API.md: "retried after about 5 s"). */
export const WEBHOOK_FIRST_RETRY_DELAY_MS = 5_000;

/**
 * Each delay is its nominal value times a factor drawn uniformly from [0.8, 1.2], so the
 * receivers that failed together (one outage) do not all come back in the same second.
 */
export const WEBHOOK_RETRY_JITTER = 0.2;

/**
 * No single wait is longer than this, whatever the attempt count. With the defaults it never
 * bites (the longest nominal wait is 5 s × 2^9 ≈ 43 min); it bounds a future larger count.
 */
export const WEBHOOK_MAX_RETRY_DELAY_MS = 3_600_000;

/**
 * Attempts before a delivery is dead. API.md asks for at least 8 attempts over at least an
 * hour, and that must hold in the worst case of the jitter too: the waits before attempt n
 * add up to 5 s × (2^(n-1) − 1) nominally and at least 0.8 of that, so attempt 11 comes
 * after 68 to 102 minutes (attempt 10 could come after 34 minutes: too early).
 */
export const WEBHOOK_MAX_ATTEMPTS = 11;

/** True once `attemptsMade` failed attempts mean the delivery is given up (`dead`). */
export function isDead(attemptsMade: number): boolean {
  assertAttempts(attemptsMade);
  return attemptsMade >= WEBHOOK_MAX_ATTEMPTS;
}

/**
 * Milliseconds to wait before the next attempt, once `attemptsMade` attempts (1-based: 1
 * after the first try) have failed: 5 s × 2^(attemptsMade−1), times a jitter factor in
 * [0.8, 1.2] drawn from `random` (a `Math.random`-like source, injectable for tests).
 * @throws RangeError when `attemptsMade` is not a positive integer, when the delivery is
 *   already dead (see `isDead`), or when `random` answers outside [0, 1].
 */
export function nextAttemptDelay(attemptsMade: number, random: () => number = Math.random): number {
  if (isDead(attemptsMade)) throw new RangeError('no attempt follows a dead delivery');
  const r = random();
  if (!(r >= 0 && r <= 1)) throw new RangeError('random() must answer within [0, 1]');
  const nominal = WEBHOOK_FIRST_RETRY_DELAY_MS * 2 ** (attemptsMade - 1);
  const factor = 1 + WEBHOOK_RETRY_JITTER * (2 * r - 1);
  return Math.round(Math.min(nominal, WEBHOOK_MAX_RETRY_DELAY_MS) * factor);
}

/**
 * The same schedule in the shape of the email outbox's `decideRetry`, for the outbox worker.
 * @throws RangeError as `nextAttemptDelay`, except that a dead delivery answers `dead`.
 */
export function decideWebhookRetry(
  attemptsMade: number,
  random: () => number = Math.random,
): RetryDecision {
  return isDead(attemptsMade)
    ? { action: 'dead' }
    : { action: 'retry', delayMs: nextAttemptDelay(attemptsMade, random) };
}

function assertAttempts(attemptsMade: number): void {
  if (!Number.isInteger(attemptsMade) || attemptsMade < 1) {
    throw new RangeError('attemptsMade counts failed attempts from 1');
  }
}
