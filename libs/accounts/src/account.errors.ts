import { DomainError } from '@identity/kernel';

/**
 * Codes of errors the accounts context throws; transports map each exhaustively to API.md's
 * codes (HTTP: `invalid_credentials` 401, `email_not_verified` 403, `account_locked` 403,
 * `token_invalid` 400, `not_found` 404, `validation_failed` 400). Weak passwords are the
 * passwords context's `WeakPasswordError`, not one of these.
 */
export type AccountErrorCode =
  /** Unknown email or wrong password: deliberately one code, so neither can be told apart. */
  | 'account.invalid_credentials'
  /** Right password, but the mailbox was never proven. */
  | 'account.email_not_verified'
  /** Right password, but an admin locked the account. */
  | 'account.locked'
  /** A verification or reset token that is unknown, used or expired (never which). */
  | 'account.token_invalid'
  /** The account of an authenticated request no longer exists. */
  | 'account.not_found'
  /** An address the domain refuses to store (API.md "Details": 254 characters, one `@`...). */
  | 'account.invalid_email';

/** A refusal of the accounts context. */
export class AccountError extends DomainError<AccountErrorCode> {}
