import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Database, isUniqueViolation } from '@identity/database';
import { EmailService } from '@identity/delivery';
import { Clock } from '@identity/kernel';
import { MailThrottle } from '@identity/protection';
import { type ClientContext, IpHasher, SessionService } from '@identity/sessions';
import {
  canonicalEmail,
  isValidEmail,
  normalizeEmail,
  USER_EMAIL_CONSTRAINT,
  UserRepository,
} from '@identity/users';
import { AccountError } from './account.errors';
import { EmailChangeRepository } from './email-change.repository';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';
import { type ReauthProof, Reauthentication } from './reauthentication';

/** What `POST /auth/change-email` carries, with the caller's identity from its access token. */
export interface RequestEmailChangeInput {
  userId: string;
  newEmail: string;
  proof: ReauthProof;
}

/** What `POST /auth/confirm-email-change` carries. */
export interface ConfirmEmailChangeInput {
  token: string;
  /**
   * The session the confirming browser is signed in with, if any (from its access token): it
   * survives when it is the account's. Every other session is revoked.
   */
  keepSessionId?: string;
}

/**
 * Moving an account to another address. The request proves the owner (re-authentication) and
 * mails a link to the new address; the current address is told. Nothing changes until the
 * link is confirmed: the new address must prove it can receive mail before sign-in and
 * password resets go there. Whether the new address already belongs to an account is answered
 * only at confirmation, to whoever holds that mailbox, never at the request (which would tell
 * anyone with a session which addresses have accounts).
 */
@Injectable()
export class EmailChangeService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly changes: EmailChangeRepository,
    private readonly verifications: EmailVerificationRepository,
    private readonly resets: PasswordResetRepository,
    private readonly reauth: Reauthentication,
    private readonly sessions: SessionService,
    private readonly mail: EmailService,
    private readonly mailThrottle: MailThrottle,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Re-authenticates the owner, then (in one transaction) voids any earlier pending change,
   * stores the new one, mails its link to the new address and a notice to the current one,
   * and emits `user.email_change_requested`. A request for the address the account already
   * has (exactly) changes and sends nothing. An account with a password proves itself with
   * it; a code is for accounts that have none.
   * @throws AccountError `account.invalid_email` for an address API.md refuses,
   *   `account.invalid_credentials` for a wrong proof, `account.not_found` when the account is
   *   gone.
   * @throws ThrottledError `protection.too_many_attempts` past the account's limits,
   *   `protection.rate_limited` past the mail budget of the new address or of the IP.
   */
  async request(input: RequestEmailChangeInput, client: ClientContext): Promise<void> {
    if (!isValidEmail(input.newEmail)) throw new AccountError('account.invalid_email');
    const user = await this.users.findById(input.userId);
    if (!user) throw new AccountError('account.not_found');
    if ('code' in input.proof && user.password) {
      throw new AccountError('account.invalid_credentials');
    }
    const newEmail = canonicalEmail(input.newEmail);
    const newEmailNormalized = normalizeEmail(input.newEmail);
    const ipHash = this.ipHasher.hash(client.ip);
    await this.reauth.run({ user, proof: input.proof, client }, async (tx) => {
      if (newEmail === user.email) return;
      // Every request that mails the new address counts against it, like a registration.
      await this.mailThrottle.consume({ email: newEmailNormalized, ip: client.ip });
      await this.changes.invalidateAll(user.id, tx);
      const token = await this.changes.issue(
        {
          userId: user.id,
          newEmail,
          newEmailNormalized,
          ttlSeconds: this.config.tokenTtl.resetPassword,
        },
        tx,
      );
      const name = user.name ?? undefined;
      await this.mail.queue(tx, {
        template: 'confirm_email_change',
        to: newEmail,
        vars: { token, name },
      });
      await this.mail.queue(tx, {
        template: 'email_change_requested',
        to: user.email,
        vars: { newEmail, name },
      });
      await this.events.emit(tx, 'user.email_change_requested', { userId: user.id, ipHash });
    });
  }

  /**
   * Confirms a change with the token mailed to the new address, in one transaction: the
   * account takes the address (verified: the link reached it), every pending change, reset and
   * verification link of the account dies (reset links went to the old mailbox), every
   * session but `keepSessionId` is revoked, the old address is told, and
   * `user.email_changed` is emitted.
   * @returns the account's id.
   * @throws AccountError `account.token_invalid` for an unknown, used or expired token (or an
   *   account that is gone or locked); `account.email_taken` when another account has the
   *   address (the token then stays usable, and nothing changed).
   */
  async confirm(input: ConfirmEmailChangeInput, client: ClientContext): Promise<string> {
    const ipHash = this.ipHasher.hash(client.ip);
    try {
      return await this.db.withTransaction(async (tx) => {
        const change = await this.changes.consume(input.token, tx);
        if (!change) throw new AccountError('account.token_invalid');
        const before = await this.users.findById(change.userId, tx);
        if (!before) throw new AccountError('account.token_invalid');
        const outcome = await this.users.changeEmail(
          {
            userId: change.userId,
            email: change.newEmail,
            emailNormalized: change.newEmailNormalized,
            verifiedAt: this.clock.now(),
          },
          tx,
        );
        if (outcome === 'taken') throw new AccountError('account.email_taken');
        if (outcome === 'unavailable') throw new AccountError('account.token_invalid');
        await this.changes.invalidateAll(change.userId, tx);
        await this.resets.invalidateAll(change.userId, tx);
        await this.verifications.invalidateAll(change.userId, tx);
        await this.sessions.revokeAll(tx, {
          userId: change.userId,
          reason: 'email_changed',
          exceptSessionId: input.keepSessionId,
          ipHash,
        });
        await this.mail.queue(tx, {
          template: 'email_changed',
          to: before.email,
          vars: { name: before.name ?? undefined },
        });
        await this.events.emit(tx, 'user.email_changed', { userId: change.userId, ipHash });
        return change.userId;
      });
    } catch (err) {
      // Two accounts confirming one address at the same moment: the second loses here.
      if (isUniqueViolation(err, USER_EMAIL_CONSTRAINT)) {
        throw new AccountError('account.email_taken');
      }
      throw err;
    }
  }
}
