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
