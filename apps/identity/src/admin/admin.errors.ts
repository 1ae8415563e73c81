import { DomainError } from '@identity/kernel';

/** Codes of the admin use cases' refusals; transports map them (HTTP 404 `not_found`, 409). */
export type AdminErrorCode =
  /** No account has this id (or this email). */
  | 'admin.user_not_found'
  /** The change would leave no unlocked account holding `admin`: nobody could administer. */
  | 'admin.last_admin'
  /** `admin` is only ever granted to an account whose owner proved the mailbox. */
  | 'admin.email_not_verified';

/** A refusal of an admin use case. */
export class AdminError extends DomainError<AdminErrorCode> {}
