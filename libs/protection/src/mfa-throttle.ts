import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { type Limiter, LimiterFactory } from './limiter';
import { LimitKeys } from './limit-keys';
import { ThrottledError } from './protection.errors';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/** A wrong MFA code (TOTP or recovery code) entered against an mfa_token. */
export interface MfaFailure {
  /** The mfa_token's id; hashed before it becomes a key. */
  mfaTokenId: string;
  userId: string;
}

/**
 * Caps MFA guessing (API.md "Default limits"): `mfaFailuresPerToken` wrong codes per mfa_token
 * (the caller then kills the token, so a guesser must pass the password again), and
 * `mfaFailuresPerUserPerHour` per user across tokens, so fresh logins cannot buy unlimited
 * guesses at a 6-digit code.
 */
@Injectable()
export class MfaThrottle {
  private readonly perToken: Limiter;
  private readonly perUser: Limiter;

  constructor(
    @InjectConfig() config: AppConfig,
    @Inject(PROTECTION_WINDOWS) windows: ProtectionWindows,
    limiters: LimiterFactory,
    private readonly keys: LimitKeys,
  ) {
    this.perToken = limiters.create({
      keyPrefix: 'rl:mfa-token',
      points: config.limits.mfaFailuresPerToken,
      durationSeconds: windows.mfaToken,
    });
    this.perUser = limiters.create({
      keyPrefix: 'rl:mfa-user',
      points: config.limits.mfaFailuresPerUserPerHour,
      durationSeconds: windows.mfaUser,
    });
  }

  /**
   * Refuses MFA verification for a user whose hourly budget of wrong codes is spent. Call it
   * before checking the code.
   * @throws ThrottledError `protection.too_many_attempts`.
   */
  async assertUserAllowed(userId: string): Promise<void> {
    const count = await this.perUser.peek(userId);
    if (count !== null && count.consumed >= this.perUser.points) {
      throw ThrottledError.after('protection.too_many_attempts', count.msBeforeNext);
    }
  }

  /**
   * Counts a wrong code against the token and the user.
   * @returns `tokenExhausted: true` once the token has had its last allowed failure: the
   * caller must kill the token (its next use answers 401 `mfa_invalid`).
   */
  async recordFailure(failure: MfaFailure): Promise<{ tokenExhausted: boolean }> {
    const [token] = await Promise.all([
      this.perToken.hit(this.keys.opaque(failure.mfaTokenId)),
      this.perUser.hit(failure.userId),
    ]);
    return { tokenExhausted: token.consumed >= this.perToken.points };
  }
}
