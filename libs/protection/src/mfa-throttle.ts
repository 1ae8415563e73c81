import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { type Limiter, LimiterFactory } from './limiter';
import { LimitKeys } from './limit-keys';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/** Who is entering a code: the user, and the mfa_token when it is a sign-in's MFA step. */
export interface MfaAttempt {
  userId: string;
  /** The mfa_token's id; hashed before it becomes a key. Absent for a signed-in change. */
  mfaTokenId?: string;
}

/** An MFA attempt that passed the caps and holds their points until it is settled. */
export interface MfaTicket {
  readonly attempt: MfaAttempt;
  /** The token's attempts, this one included (0 without a token). */
  readonly tokenAttempts: number;
}

/**
 * Caps MFA guessing (API.md "Default limits"): `mfaFailuresPerToken` wrong codes per mfa_token
 * (the caller then kills the token, so a guesser must pass the password again), and
 * `mfaFailuresPerUserPerHour` per user across tokens, so fresh sign-ins cannot buy unlimited
 * guesses at a 6-digit code. Codes that confirm a change to a signed-in user's second factor
 * count against the same per-user cap.
 *
 * Attempts are counted, not finished failures: {@link begin} takes the points atomically
 * BEFORE the code is checked, so a burst of simultaneous codes gets exactly as many
 * evaluations as the same codes one after another; a success gives its user point back.
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
   * Takes the attempt's points before the code is checked: one of the user's hourly budget
   * and, in a sign-in, one of the token's. Settle the ticket with exactly one of
   * {@link succeeded}, {@link failed} or {@link refund}.
   * @returns null when the token has had all its attempts (it must be killed; nothing is kept).
   * @throws ThrottledError `protection.too_many_attempts` when the user's budget is spent.
   */
  async begin(attempt: MfaAttempt): Promise<MfaTicket | null> {
    const user = await this.perUser.take(attempt.userId);
    if (!user.ok) throw this.perUser.refuse('protection.too_many_attempts', user.count);
    if (attempt.mfaTokenId === undefined) return { attempt, tokenAttempts: 0 };
    const token = await this.perToken.take(this.keys.opaque(attempt.mfaTokenId));
    if (!token.ok) {
      await this.perUser.giveBack(attempt.userId);
      return null;
    }
    return { attempt, tokenAttempts: token.count.consumed };
  }

  /** The code passed: the user's point goes back (the cap counts wrong codes). */
  async succeeded(ticket: MfaTicket): Promise<void> {
    await this.perUser.giveBack(ticket.attempt.userId);
  }

  /**
   * The code was wrong: the points stay.
   * @returns `tokenExhausted: true` once the token has had its last allowed attempt: the
   * caller must kill the token (its next use answers 401 `mfa_invalid`).
   */
  failed(ticket: MfaTicket): Promise<{ tokenExhausted: boolean }> {
    return Promise.resolve({
      tokenExhausted:
        ticket.attempt.mfaTokenId !== undefined && ticket.tokenAttempts >= this.perToken.points,
    });
  }

  /** The code was never checked (the token was already used, say): every point goes back. */
  async refund(ticket: MfaTicket): Promise<void> {
    const { userId, mfaTokenId } = ticket.attempt;
    await Promise.all([
      this.perUser.giveBack(userId),
      mfaTokenId === undefined
        ? Promise.resolve()
        : this.perToken.giveBack(this.keys.opaque(mfaTokenId)),
    ]);
  }
}
