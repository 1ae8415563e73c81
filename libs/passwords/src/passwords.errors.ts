import type { PolicyViolation } from './password-policy';

/** Codes of errors the passwords context raises; transports map each to API.md's codes. */
export type PasswordsErrorCode = 'weak_password';

/**
 * A new password breaks the policy. `violations` lists every broken rule, for the
 * `weak_password` answer's `errors`; it never contains the password.
 */
export class WeakPasswordError extends Error {
  readonly code: PasswordsErrorCode = 'weak_password';

  constructor(readonly violations: readonly PolicyViolation[]) {
    super(`Password rejected: ${violations.map((v) => v.rule).join(', ')}`);
    this.name = 'WeakPasswordError';
  }
}
