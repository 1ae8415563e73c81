import { Injectable } from '@nestjs/common';
import { Database } from '@identity/database';
import { MfaChallengeService, SecondFactor, type SecondFactorProof } from '@identity/mfa';
import { MfaThrottle } from '@identity/protection';
import { type ClientContext, IpHasher } from '@identity/sessions';
import { signInBlocker, UserRepository } from '@identity/users';
import { SignInCore, type SignInResult } from './sign-in.core';
import { SignInError } from './signin.errors';

/** What `POST /auth/mfa/verify` carries: the mfa_token and exactly one second factor. */
export type MfaStepInput = { mfaToken: string } & SecondFactorProof;

/** A sign-in finished by its second factor. */
export type MfaStepResult = Extract<SignInResult, { kind: 'tokens' }>;

/**
 * The second step of a sign-in: the `mfa_token` of the first step plus a TOTP code or a
 * recovery code finishes the sign-in through the core.
 *
 * Guessing is capped (API.md): every wrong code counts against the token and the user; the
 * token dies after `MFA_FAILURES_PER_TOKEN` wrong codes (then answers like an unknown one), and
 * a user past `MFA_FAILURES_PER_USER_PER_HOUR` is refused with 429 before any code is checked,
 * so fresh sign-ins cannot buy unlimited guesses at a 6-digit code.
 */
@Injectable()
export class MfaStep {
  constructor(
    private readonly db: Database,
    private readonly challenges: MfaChallengeService,
    private readonly users: UserRepository,
    private readonly secondFactor: SecondFactor,
    private readonly throttle: MfaThrottle,
    private readonly ipHasher: IpHasher,
    private readonly core: SignInCore,
  ) {}

  /**
   * Checks the second factor, uses up the mfa_token and the TOTP step or recovery code, and
   * opens the session, all or nothing (amr: the first factor's, then `otp` or `rec`).
   * @throws SignInError `signin.mfa_invalid` for a wrong, replayed or used code, and for an
   *   unknown, expired, used or killed mfa_token (never saying which).
   * @throws ThrottledError `protection.too_many_attempts` when the user's MFA budget is spent.
   */
  async verify(input: MfaStepInput, client: ClientContext): Promise<MfaStepResult> {
    const ipHash = this.ipHasher.hash(client.ip);
    const challenge = await this.challenges.find(input.mfaToken);
    if (!challenge) return this.core.refuse('signin.mfa_invalid', { ipHash });
    const userId = challenge.userId;
    await this.throttle.assertUserAllowed(userId);
    const user = await this.users.findById(userId);
    if (!user || signInBlocker(user)) {
      // Locked (or deleted) since the first step: this sign-in is over.
      await this.challenges.kill(challenge.id);
      return this.core.refuse('signin.mfa_invalid', { userId, ipHash });
    }
    const proof: SecondFactorProof =
      'code' in input ? { code: input.code } : { recoveryCode: input.recoveryCode };
    const result = await this.db.withTransaction(async (tx): Promise<MfaStepResult | null> => {
      const method = await this.secondFactor.verify(tx, { user, proof, ipHash });
      if (!method) return null;
      // Last, so a wrong code never uses the token up; if another request won the token, this
      // one fails and its step or code is given back by the rollback.
      if (!(await this.challenges.claim(challenge.id))) throw new SignInError('signin.mfa_invalid');
      const amr = [...challenge.amr, method];
      const pair = await this.core.complete(tx, {
        userId,
        amr,
        method: challenge.method,
        deviceName: challenge.deviceName,
        client,
        ipHash,
      });
      return { kind: 'tokens', pair, userId, amr };
    });
    if (result) return result;
    const { tokenExhausted } = await this.throttle.recordFailure({
      mfaTokenId: challenge.id,
      userId,
    });
    if (tokenExhausted) await this.challenges.kill(challenge.id);
    return this.core.refuse('signin.mfa_invalid', { userId, ipHash });
  }
}
