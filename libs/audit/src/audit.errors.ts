/** Codes of errors the audit context raises; transports map each to API.md's codes. */
export type AuditErrorCode = 'audit.invalid_filter';

/**
 * A listing filter that cannot name any row: a `before` cursor that is not a row id, a
 * `user_id` that is not a UUID or a `type` that is no event type. Raised before any query
 * runs, so a malformed query string is a client error rather than a database error.
 */
export class AuditError extends Error {
  constructor(
    readonly code: AuditErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AuditError';
  }
}
