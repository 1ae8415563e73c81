import { isDatabaseUnavailable } from '@identity/database';
import { isKvUnavailable } from '@identity/kv';

/** Seconds a client is asked to wait when Postgres or Redis is down (HTTP `Retry-After`). */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/**
 * True when `err` says Postgres or Redis is down or unreachable rather than that the request
 * or the code is wrong. Both transports' error filters answer these "try again shortly"
 * (HTTP 503 `unavailable` with Retry-After, gRPC UNAVAILABLE, which gRPC clients retry)
 * instead of a 500 or INTERNAL that says "bug".
 */
export function isDependencyUnavailable(err: unknown): boolean {
  return isDatabaseUnavailable(err) || isKvUnavailable(err);
}
