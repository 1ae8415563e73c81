import { Injectable } from '@nestjs/common';
import { Database } from '@identity/database';
import {
  MfaChallengeService,
  type PendingChallenge,
  SecondFactor,
  type SecondFactorProof,
} from '@identity/mfa';
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
 * Guessing is capped (API.md): every attempt counts against the token and the user before
 * its code is checked (a right code gives the user's point back); the token dies after
 * `MFA_FAILURES_PER_TOKEN` wrong codes (then answers like an unknown one), and a user past
 * `MFA_FAILURES_PER_USER_PER_HOUR` is refused with 429, so neither fresh sign-ins nor bursts
 * buy more guesses at a 6-digit code.
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
    // An unknown token is refused without an audit row: guessing random tokens must not make
    // every guess take the audit chain's lock.
    if (!challenge) throw new SignInError('signin.mfa_invalid');
    const userId = challenge.userId;
    // The attempt's points are taken before the code is checked: a burst of codes is
    // evaluated no more often than the same codes one after another.
    const ticket = await this.throttle.begin({ userId, mfaTokenId: challenge.id });
    if (!ticket) {
      // The token has had all its attempts: it is dead, as if it had been killed already.
      await this.challenges.kill(challenge.id);
      throw new SignInError('signin.mfa_invalid');
    }
    let result: MfaStepResult | null;
    try {
      result = await this.attempt(challenge, input, client, ipHash);
    } catch (err) {
      // Not evaluated (the token was won by a concurrent request, the database is down).
      await this.throttle.refund(ticket);
      throw err;
    }
    if (result) {
      await this.throttle.succeeded(ticket);
      return result;
    }
    const { tokenExhausted } = await this.throttle.failed(ticket);
    if (tokenExhausted) await this.challenges.kill(challenge.id);
    return this.core.refuse('signin.mfa_invalid', { userId, ipHash });
  }

  /**
   * Checks the second factor and finishes the sign-in, all or nothing; null (nothing written)
   * when the factor does not pass.
   * @throws SignInError `signin.mfa_invalid` when the account may no longer sign in, or the
   *   token was used by a concurrent request.
   */
  private async attempt(
    challenge: PendingChallenge,
    input: MfaStepInput,
    client: ClientContext,
    ipHash: string,
  ): Promise<MfaStepResult | null> {
    const userId = challenge.userId;
    const user = await this.users.findById(userId);
    if (!user || signInBlocker(user)) {
      // Locked (or deleted) since the first step: this sign-in is over.
      await this.challenges.kill(challenge.id);
      return this.core.refuse('signin.mfa_invalid', { userId, ipHash });
    }
    const proof: SecondFactorProof =
      'code' in input ? { code: input.code } : { recoveryCode: input.recoveryCode };
    return this.db.withTransaction(async (tx): Promise<MfaStepResult | null> => {
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
  }
}
