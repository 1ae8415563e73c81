/** True when `err` is Postgres's unique_violation (23505), optionally on the named constraint. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; driverError?: unknown };
  if (e.code === '23505') return constraint === undefined || e.constraint === constraint;
  return e.driverError !== undefined && isUniqueViolation(e.driverError, constraint);
}
