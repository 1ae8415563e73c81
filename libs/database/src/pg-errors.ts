/** Postgres's SQLSTATE of `err` (or of the driver error TypeORM wrapped), if it has one. */
function sqlState(err: unknown): { code?: unknown; constraint?: unknown } | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; constraint?: unknown; driverError?: unknown };
  if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
  return e.driverError === undefined ? undefined : sqlState(e.driverError);
}

/** True when `err` is Postgres's unique_violation (23505), optionally on the named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = sqlState(err);
  return e?.code === '23505' && (constraint === undefined || e.constraint === constraint);
}

/** True when `err` is Postgres's foreign_key_violation (23503), optionally on the named constraint. */
export function isForeignKeyViolation(err: unknown, constraint?: string): boolean {
  const e = sqlState(err);
  return e?.code === '23503' && (constraint === undefined || e.constraint === constraint);
}

/**
 * SQLSTATEs that mean "the server cannot serve now", not "this statement is wrong": class 08
 * (connection exception), 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
 * now (starting up, shutting down, recovery), 53300 too many connections.
 */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** Messages pg and pg-pool raise without a SQLSTATE when the server is gone or unreachable. */
const UNAVAILABLE_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout|terminating connection due to|the database system is (starting up|shutting down|in recovery mode)|Query read timeout)/;

/** Errors of sockets that never reached, or lost, the server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True when `err` says Postgres is down or unreachable (connection refused, reset or timed
 * out, the server shutting down or starting up, the pool unable to connect), as opposed to a
 * statement that failed. Looks through TypeORM's `driverError` and `cause` chains. Transports
 * answer these "try again shortly" (HTTP 503, gRPC UNAVAILABLE) instead of 500.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (typeof err !== 'object' || err === null || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown };
  if (
    typeof e.code === 'string' &&
    (UNAVAILABLE_SQLSTATE.test(e.code) || NETWORK_CODES.has(e.code))
  )
    return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return (
    isDatabaseUnavailable(e.driverError, depth + 1) || isDatabaseUnavailable(e.cause, depth + 1)
  );
}
