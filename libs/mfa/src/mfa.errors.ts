import { DomainError } from '@identity/kernel';

/**
 * Codes of errors the MFA context throws; transports map each exhaustively to API.md's codes
 * (HTTP: `mfa.code_invalid` 401 `mfa_invalid`, `mfa.confirmation_invalid` 400 `mfa_invalid`,
 * `mfa.already_enabled` 409 `mfa_already_enabled`, `mfa.password_invalid` 401
 * `invalid_credentials`, `mfa.account_not_found` 401 `unauthorized`). Attempt caps are the
 * protection context's `ThrottledError`, not one of these.
 */
export type MfaErrorCode =
  /**
   * The code confirming a change to the second factor (turning it off, new recovery codes)
   * does not pass: wrong, replayed or malformed, or TOTP is not enabled.
   */
  | 'mfa.code_invalid'
  /** The first code of an enrolment is wrong, or there is no pending enrolment to confirm. */
  | 'mfa.confirmation_invalid'
  /** TOTP is already enabled: disable it before enrolling again. */
  | 'mfa.already_enabled'
  /** The password given to re-authenticate an enrolment is wrong. */
  | 'mfa.password_invalid'
  /** The account of an authenticated request no longer exists. */
  | 'mfa.account_not_found';

/** A refusal of the MFA context. */
export class MfaError extends DomainError<MfaErrorCode> {}
