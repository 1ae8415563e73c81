import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { EventBus } from '@identity/audit';
import { Database } from '@identity/database';
import { EmailService } from '@identity/delivery';
import { MfaThrottle } from '@identity/protection';
import { type ClientContext, IpHasher, SessionService, type TokenPair } from '@identity/sessions';
import { MfaChallengeService, type PendingChallenge } from './mfa-challenge.service';
import { type MfaAccount, MfaAccountRepository } from './mfa-account.repository';
import { MfaError } from './mfa.errors';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpVerifier } from './totp-verifier';

/** What `POST /auth/mfa/verify` carries: the mfa_token and exactly one second factor. */
export type MfaVerifyInput = { mfaToken: string } & ({ code: string } | { recoveryCode: string });

/** A login completed by its second factor. */
export interface MfaLoginResult {
  pair: TokenPair;
  userId: string;
  /** The session's methods: the first factor's, then `otp` (TOTP) or `rec` (recovery code). */
  amr: string[];
}

/**
 * The second step of a login: an mfa_token from the first step plus a TOTP code or a recovery
 * code opens the session.
 *
 * Guessing is capped (API.md): every wrong code counts against the token and the user; the
 * token dies after `MFA_FAILURES_PER_TOKEN` wrong codes (then answers like an unknown one), and
 * a user past `MFA_FAILURES_PER_USER_PER_HOUR` is refused with 429 before any code is checked,
 * so fresh logins cannot buy unlimited guesses at a 6-digit code.
 */
@Injectable()
export class MfaLoginService {
  private readonly logger = new Logger(MfaLoginService.name);

  constructor(
    private readonly db: Database,
    private readonly challenges: MfaChallengeService,
    private readonly accounts: MfaAccountRepository,
    private readonly verifier: TotpVerifier,
    private readonly recoveryCodes: RecoveryCodeService,
    private readonly sessions: SessionService,
    private readonly throttle: MfaThrottle,
    private readonly mail: EmailService,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
  ) {}

  /**
   * Completes a login: checks the second factor, uses up the mfa_token, the TOTP step or the
   * recovery code, and opens the session, all or nothing. A used recovery code is audited and
   * mailed to the owner with the number of codes left.
   * @throws MfaError `mfa.code_invalid` for a wrong, replayed or used code, and for an
   *   unknown, expired, used or killed mfa_token (never saying which).
   * @throws ThrottledError `protection.too_many_attempts` when the user's MFA budget is spent.
   */
  async verify(input: MfaVerifyInput, client: ClientContext): Promise<MfaLoginResult> {
    const ipHash = this.ipHasher.hash(client.ip);
    const challenge = await this.challenges.find(input.mfaToken);
    if (!challenge) return this.refuse({ ipHash });
    await this.throttle.assertUserAllowed(challenge.userId);
    const account = await this.accounts.find(challenge.userId);
    if (!account?.active) {
      // Locked (or deleted) since the password step: the login is over.
      await this.challenges.kill(challenge.id);
      return this.refuse({ ipHash, userId: challenge.userId });
    }
    const result = await this.db.withTransaction((manager) =>
      this.complete(manager, { challenge, account, input, client, ipHash }),
    );
    if (result) return result;
    const { tokenExhausted } = await this.throttle.recordFailure({
      mfaTokenId: challenge.id,
      userId: challenge.userId,
    });
    if (tokenExhausted) await this.challenges.kill(challenge.id);
    return this.refuse({ ipHash, userId: challenge.userId });
  }

  /** The all-or-nothing part; null (nothing written) when the factor or the token fails. */
  private async complete(
    manager: EntityManager,
    ctx: {
      challenge: PendingChallenge;
      account: MfaAccount;
      input: MfaVerifyInput;
      client: ClientContext;
      ipHash: string;
    },
  ): Promise<MfaLoginResult | null> {
    const { challenge, account, input } = ctx;
    const userId = account.id;
    let method: 'otp' | 'rec';
    let codesLeft: number | null = null;
    if ('code' in input) {
      if (!(await this.verifier.checkAndConsume(manager, { userId, code: input.code }))) {
        return null;
      }
      method = 'otp';
    } else {
      codesLeft = await this.recoveryCodes.use(manager, { userId, code: input.recoveryCode });
      if (codesLeft === null) return null;
      method = 'rec';
    }
    // Last, so a wrong code never uses the token up; if another request won the token, this
    // one fails and its step or code is given back by the rollback.
    if (!(await this.challenges.claim(challenge.id))) throw new MfaError('mfa.code_invalid');
    const amr = [...challenge.amr, method];
    const pair = await this.sessions.open(manager, {
      userId,
      amr,
      deviceName: challenge.deviceName,
      client: ctx.client,
    });
    if (codesLeft !== null) {
      await this.events.emit(manager, 'mfa.recovery_code_used', {
        userId,
        remaining: codesLeft,
        ipHash: ctx.ipHash,
      });
      await this.mail.queue(manager, {
        template: 'recovery_code_used',
        to: account.email,
        vars: { name: account.name ?? undefined, remaining: codesLeft },
      });
    }
    await this.events.emit(manager, 'auth.login.succeeded', {
      userId,
      sessionId: pair.sessionId,
      amr,
      ipHash: ctx.ipHash,
    });
    return { pair, userId, amr };
  }

  /**
   * Audits the failure (`auth.login.failed`, reason `mfa_invalid`) in a small transaction of
   * its own, then throws. An audit failure is logged and does not mask the refusal.
   */
  private async refuse(input: { ipHash: string; userId?: string }): Promise<never> {
    try {
      await this.db.withTransaction((manager) =>
        this.events.emit(manager, 'auth.login.failed', {
          reason: 'mfa_invalid',
          userId: input.userId,
          ipHash: input.ipHash,
        }),
      );
    } catch (err) {
      this.logger.error(
        `auditing a failed MFA step failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    throw new MfaError('mfa.code_invalid');
  }
}
