import { DomainError } from '@identity/kernel';
import type { PolicyViolation } from './password-policy';

/** Codes of errors the passwords context raises; transports map each to API.md's codes. */
export type PasswordsErrorCode = 'passwords.weak' | 'passwords.overloaded';

/**
 * A new password breaks the policy. `violations` lists every broken rule, for the
 * `weak_password` answer's `errors`; it never contains the password.
 */
export class WeakPasswordError extends DomainError<PasswordsErrorCode> {
  constructor(readonly violations: readonly PolicyViolation[]) {
    super('passwords.weak', {
      message: `Password rejected: ${violations.map((v) => v.rule).join(', ')}`,
    });
  }
}

/**
 * Password hashing is saturated: every argon2 slot is busy and `ARGON2_QUEUE_LIMIT` requests
 * already wait. Nothing was computed; the caller should answer "try again in
 * `retryAfterSeconds`" at once rather than queue without end.
 */
export class PasswordHashingOverloadedError extends DomainError<PasswordsErrorCode> {
  constructor(readonly retryAfterSeconds: number) {
    super('passwords.overloaded');
  }
}
