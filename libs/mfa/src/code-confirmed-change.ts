import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import { MfaThrottle } from '@identity/protection';
import { MfaError } from './mfa.errors';
import { TotpVerifier } from './totp-verifier';

/**
 * A change to a signed-in user's second factor that the current TOTP code must confirm
 * (turning it off, new recovery codes). A stolen access token alone must not be enough, and
 * guessing the code here is capped like at login: wrong codes count against the user's hourly
 * MFA budget (API.md: 20), after which the protection context refuses with 429.
 */
@Injectable()
export class CodeConfirmedChange {
  constructor(
    private readonly db: Database,
    private readonly verifier: TotpVerifier,
    private readonly throttle: MfaThrottle,
  ) {}

  /**
   * Checks and uses up `code`, then runs `change`, in one transaction (a failed change gives
   * the code back).
   * @throws ThrottledError `protection.too_many_attempts` when the user's budget is spent.
   * @throws MfaError `mfa.code_invalid` for a wrong, replayed or malformed code, or when TOTP
   *   is not enabled.
   */
  async run<T>(
    input: { userId: string; code: string },
    change: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    await this.throttle.assertUserAllowed(input.userId);
    const result = await this.db.withTransaction(async (tx) => {
      if (!(await this.verifier.checkAndConsume(tx, input))) return { ok: false as const };
      return { ok: true as const, value: await change(tx) };
    });
    if (result.ok) return result.value;
    // Not an mfa_token: a per-account pseudo id, so only the per-user budget really binds.
    await this.throttle.recordFailure({
      mfaTokenId: `account:${input.userId}`,
      userId: input.userId,
    });
    throw new MfaError('mfa.code_invalid');
  }
}
