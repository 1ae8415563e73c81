import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import { MfaThrottle } from '@identity/protection';
import type { User } from '@identity/users';
import { MfaError } from './mfa.errors';
import { SecondFactor, type SecondFactorProof } from './second-factor';

/**
 * A change to a signed-in user's second factor that a second factor must confirm (turning it
 * off, new recovery codes): a current TOTP code or a recovery code. A stolen access token alone
 * is not enough, nor is the password (it may be what was stolen). Guessing here is capped like
 * at sign-in: every attempt takes a point of the user's hourly MFA budget (API.md: 20) before
 * the code is checked, a right code gives it back, and past the budget the protection context
 * refuses with 429.
 */
@Injectable()
export class CodeConfirmedChange {
  constructor(
    private readonly db: Database,
    private readonly secondFactor: SecondFactor,
    private readonly throttle: MfaThrottle,
  ) {}

  /**
   * Checks and uses up the proof, then runs `change`, in one transaction (a failed change
   * gives the code back).
   * @throws ThrottledError `protection.too_many_attempts` when the user's budget is spent.
   * @throws MfaError `mfa.code_invalid` for a wrong, replayed or malformed code, or when TOTP
   *   is not enabled.
   */
  async run<T>(
    input: { user: Pick<User, 'id' | 'email' | 'name'>; proof: SecondFactorProof },
    change: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    const ticket = await this.throttle.begin({ userId: input.user.id });
    if (!ticket) throw new Error('an MFA attempt without a token cannot run out of token attempts');
    let result: { ok: true; value: T } | { ok: false };
    try {
      result = await this.db.withTransaction(async (tx) => {
        if (!(await this.secondFactor.verify(tx, input))) return { ok: false as const };
        return { ok: true as const, value: await change(tx) };
      });
    } catch (err) {
      await this.throttle.refund(ticket);
      throw err;
    }
    if (result.ok) {
      await this.throttle.succeeded(ticket);
      return result.value;
    }
    await this.throttle.failed(ticket);
    throw new MfaError('mfa.code_invalid');
  }
}
