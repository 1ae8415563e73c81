/**
 * What ioredis rejects a command with when Redis cannot be reached: the connection is down
 * and commands fail fast (`enableOfflineQueue: false`), it closed, a reconnect gave up on the
 * command, or Redis did not answer within the command timeout. Also what a Redis answers in
 * the middle of a failover: READONLY (a write reached the demoted primary; the connection
 * reconnects to the new one) and LOADING (a node still loading its data set).
 */
const UNAVAILABLE_MESSAGE =
  /^(Stream isn't writeable|Connection is closed|Reached the max retries per request limit|Command timed out|connect ETIMEDOUT|Socket timeout|kv: the redis subscriber connection is not ready|READONLY |LOADING )/;

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'EPIPE']);

/**
 * True when `err` says the Redis kv store is down or unreachable, as opposed to a command
 * that failed (WRONGTYPE and the like). Looks through `cause`. Transports answer these "try
 * again shortly" (HTTP 503, gRPC UNAVAILABLE) instead of 500.
 */
export function isKvUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
  if (e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return isKvUnavailable(e.cause, depth + 1);
}
