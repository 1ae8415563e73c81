const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether `value` is a UUID in its canonical text form (any case). Ids of users, sessions and
 * other rows are UUIDs; transports check ids from paths and messages with this at their edge,
 * so a malformed id is answered like an unknown one and never reaches Postgres (which would
 * refuse it with an error instead of "no row").
 */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
