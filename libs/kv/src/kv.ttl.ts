/**
 * TTL rules both adapters share, so a caller gets the same answer from Redis and from memory
 * (Redis rejects `EX 0` and fractions itself; memory would silently accept them).
 */

/**
 * Checks that a TTL is a whole, positive number of seconds.
 *
 * @throws RangeError when it is not.
 */
export function assertTtlSeconds(ttlSeconds: number): void {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new RangeError(`kv: TTL must be a positive whole number of seconds, got ${ttlSeconds}`);
  }
}

/**
 * Milliseconds left to whole seconds, rounded up: a live key never reports 0 (which a
 * caller could read as "expired"), and a `Retry-After` built from it is never early.
 */
export function secondsLeft(millisecondsLeft: number): number {
  return Math.max(1, Math.ceil(millisecondsLeft / 1000));
}
