import { DomainError } from '@identity/kernel';

/** Codes of the admin use cases' refusals; transports map them (HTTP 404 `not_found`, 409); the last-admin rule is the access context's (`access.last_admin`). */
export type AdminErrorCode =
  /** No account has this id (or this email). */
  | 'admin.user_not_found'
  /** `admin` is only ever granted to an account whose owner proved the mailbox. */
  | 'admin.email_not_verified';

/** A refusal of an admin use case. */
export class AdminError extends DomainError<AdminErrorCode> {}
