import { DomainError } from '@identity/kernel';

/**
 * Codes of the sign-in core's refusals; transports map each exhaustively (HTTP:
 * `invalid_credentials` 401, `email_not_verified` 403, `account_locked` 403, `mfa_invalid`
 * 401). Attempt limits are the protection context's `ThrottledError`, not one of these.
 */
export type SignInErrorCode =
  /** Unknown email or wrong password: deliberately one code, so neither can be told apart. */
  | 'signin.invalid_credentials'
  /** Right credentials, but the mailbox was never proven. */
  | 'signin.email_not_verified'
  /** Right credentials, but an admin locked the account. */
  | 'signin.account_locked'
  /**
   * A second factor that does not pass, or an `mfa_token` that is unknown, expired, used or
   * killed: one code, so a guesser learns nothing about which part failed.
   */
  | 'signin.mfa_invalid';

/** A refused sign-in. */
export class SignInError extends DomainError<SignInErrorCode> {}
