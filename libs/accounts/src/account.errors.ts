import { DomainError } from '@identity/kernel';

/**
 * Codes of errors the accounts context throws; transports map each exhaustively to API.md's
 * codes (HTTP: `invalid_credentials` 401, `token_invalid` 400, `unauthorized` 401,
 * `validation_failed` 400, `email_taken` 409). Weak passwords are the
 * passwords context's `WeakPasswordError`, not one of these.
 */
export type AccountErrorCode =
  /** The password given to re-authenticate is wrong (or the account has none). */
  | 'account.invalid_credentials'
  /** A verification or reset token that is unknown, used or expired (never which). */
  | 'account.token_invalid'
  /** The account of an authenticated request no longer exists. */
  | 'account.not_found'
  /** An address the domain refuses to store (API.md "Details": 254 characters, one `@`...). */
  | 'account.invalid_email'
  /** The address an email change was confirmed for belongs to another account. */
  | 'account.email_taken';

/** A refusal of the accounts context. */
export class AccountError extends DomainError<AccountErrorCode> {}
