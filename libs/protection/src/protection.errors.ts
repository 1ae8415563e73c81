import { DomainError } from '@identity/kernel';

/** Codes of errors the protection context throws; each maps to one 429 problem (API.md). */
export type ProtectionErrorCode =
  /** Login or MFA attempts are paused (backoff, or a per-email/IP/user budget is spent). */
  | 'protection.too_many_attempts'
  /** Mail sends or general `/auth/*` traffic went over its per-email or per-IP budget. */
  | 'protection.rate_limited';

/**
 * A request refused by a limit. Transports answer 429 with `Retry-After: retryAfterSeconds`.
 * The message and fields say nothing about which limit tripped or how many attempts are left:
 * that would tell an attacker how to pace a guessing run.
 */
export class ThrottledError extends DomainError<ProtectionErrorCode> {
  /** Whole seconds until a retry can succeed: rounded up, and at least 1 (never "retry now"). */
  readonly retryAfterSeconds: number;

  constructor(code: ProtectionErrorCode, retryAfterSeconds: number) {
    super(code, {
      message:
        code === 'protection.too_many_attempts'
          ? 'Too many attempts; retry later.'
          : 'Too many requests; retry later.',
    });
    this.retryAfterSeconds = Number.isFinite(retryAfterSeconds)
      ? Math.max(1, Math.ceil(retryAfterSeconds))
      : 1;
  }

  /** The error for a counter whose window ends in `msBeforeNext` milliseconds. */
  static after(code: ProtectionErrorCode, msBeforeNext: number): ThrottledError {
    return new ThrottledError(code, msBeforeNext / 1000);
  }
}
