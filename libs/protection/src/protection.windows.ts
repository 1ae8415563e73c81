import type { AppConfig } from '@identity/config';

/**
 * The time windows, in whole seconds, the limits count over. API.md fixes them (budgets per
 * hour, general traffic per minute); they are a provider only so tests can shrink them instead
 * of sleeping for an hour (`overrideProvider(PROTECTION_WINDOWS)`).
 */
export interface ProtectionWindows {
  /** Per-email and per-IP login failure budgets. */
  loginBudget: number;
  /**
   * How long an (email, IP) failure streak is remembered from its first failure, unless a
   * success resets it: long enough that waiting out a lock never resets the doubling.
   */
  loginStreak: number;
  /** Per-mfa_token failures: the token's lifetime, so the count outlives the token. */
  mfaToken: number;
  /** Per-user MFA failures. */
  mfaUser: number;
  /** Per-email and per-IP mail sends. */
  mail: number;
  /** General per-IP `/auth/*` traffic. */
  request: number;
}

/** DI token of the {@link ProtectionWindows}. */
export const PROTECTION_WINDOWS = Symbol('PROTECTION_WINDOWS');

const MINUTE = 60;
const HOUR = 3_600;
const DAY = 86_400;

/** The windows API.md documents. */
export function defaultWindows(config: AppConfig): ProtectionWindows {
  return {
    loginBudget: HOUR,
    loginStreak: Math.max(DAY, 2 * config.limits.loginBackoffMax),
    mfaToken: config.tokenTtl.mfa,
    mfaUser: HOUR,
    mail: HOUR,
    request: MINUTE,
  };
}
