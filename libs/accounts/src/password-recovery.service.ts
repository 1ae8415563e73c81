import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Database, type Tx } from '@identity/database';
import { EmailService } from '@identity/delivery';
import { PasswordHasher, PasswordPolicy } from '@identity/passwords';
import { LoginThrottle, MailThrottle } from '@identity/protection';
import { type ClientContext, IpHasher, SessionService } from '@identity/sessions';
import { AccountError } from './account.errors';
import { type AccountRequest, AccountRequests } from './account-requests';
import { EmailConfirmation } from './email-confirmation';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';
import { isValidEmail, normalizeEmail, type User, UserRepository } from '@identity/users';

/** What `POST /auth/reset-password` carries. */
export interface ResetPasswordInput {
  token: string;
  newPassword: string;
}

/** What `POST /auth/change-password` carries, with the caller's identity from its access token. */
export interface ChangePasswordInput {
  userId: string;
  /** The session making the request: it survives, every other one is revoked. */
  sessionId: string;
  currentPassword: string;
  newPassword: string;
}

/** Forgotten passwords (reset links) and password changes by a signed-in user. */
@Injectable()
export class PasswordRecoveryService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly resets: PasswordResetRepository,
    private readonly verifications: EmailVerificationRepository,
    private readonly confirmation: EmailConfirmation,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly sessions: SessionService,
    private readonly mail: EmailService,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
    private readonly mailThrottle: MailThrottle,
    private readonly loginThrottle: LoginThrottle,
    private readonly requests: AccountRequests,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Mails a reset link if `email` belongs to an active account. Always resolves after the same
   * work, with nothing to tell the cases apart (API.md: 202 either way): the request is queued
   * and the lookup happens in the outbox worker ({@link completeForgotPassword}).
   * @throws ThrottledError `protection.rate_limited` past the mail budget of the email or IP.
   */
  async forgotPassword(email: string, client: ClientContext): Promise<void> {
    if (!isValidEmail(email)) return;
    const emailNormalized = normalizeEmail(email);
    // Counted for every address, registered or not, so the limit itself reveals nothing.
    await this.mailThrottle.consume({ email: emailNormalized, ip: client.ip });
    await this.requests.submit({
      action: 'reset_password',
      emailNormalized,
      ipHash: this.ipHasher.hash(client.ip),
    });
  }

  /** The worker's half of {@link forgotPassword}: the reset link, for an active account only. */
  async completeForgotPassword(
    request: Extract<AccountRequest, { action: 'reset_password' }>,
  ): Promise<void> {
    const user = await this.users.findByEmail(request.emailNormalized);
    if (!user || user.status !== 'active') return;
    const { ipHash } = request;
    await this.db.withTransaction(async (tx) => {
      const token = await this.resets.issue(
        { userId: user.id, ttlSeconds: this.config.tokenTtl.resetPassword },
        tx,
      );
      await this.mail.queue(tx, {
        template: 'reset_password',
        to: user.email,
        vars: { token, name: user.name ?? undefined },
      });
      await this.events.emit(tx, 'user.password_reset_requested', { userId: user.id, ipHash });
    });
  }

  /**
   * Sets a new password with a reset token, in one transaction: the token and every other
   * reset token of the user are used up, the email counts as verified (the link reached the
   * mailbox), every session is revoked and the owner is told by mail.
   * @throws AccountError `account.token_invalid` when the token is unknown, used or expired.
   * @throws WeakPasswordError when the new password breaks the policy; the token stays usable.
   */
  async resetPassword(input: ResetPasswordInput, client: ClientContext): Promise<void> {
    // Looked at, not used: the policy needs the owner's email, and a weak password must not
    // burn the link (the user would have to ask for a new mail to try again).
    const userId = await this.resets.findLiveUserId(input.token);
    const user = userId ? await this.users.findById(userId) : null;
    if (!user) throw new AccountError('account.token_invalid');
    await this.policy.enforce(input.newPassword, { email: user.emailNormalized });
    // Hashed before the transaction opens, so no row lock is held through argon2.
    const password = await this.hasher.hash(input.newPassword);
    const ipHash = this.ipHasher.hash(client.ip);
    await this.db.withTransaction(async (tx) => {
      // The check above is not the guard: only this single-statement consume is, so two
      // concurrent resets with one token cannot both succeed.
      if ((await this.resets.consume(input.token, tx)) !== user.id) {
        throw new AccountError('account.token_invalid');
      }
      await this.users.setPassword(user.id, password, tx);
      await this.resets.invalidateAll(user.id, tx);
      // The link reached the mailbox, so the mailbox is proven: the email counts as verified
      // and any verification link still pending (which someone else may hold) dies with it.
      await this.verifications.invalidateAll(user.id, tx);
      await this.confirmation.confirm(tx, { userId: user.id, ipHash });
      await this.sessions.revokeAll(tx, { userId: user.id, reason: 'password_reset', ipHash });
      await this.queuePasswordChanged(tx, user);
      await this.events.emit(tx, 'user.password_reset', { userId: user.id, ipHash });
    });
  }

  /**
   * Changes the password of a signed-in user who knows the current one. The calling session
   * stays signed in; every other session is revoked.
   * @throws AccountError `account.invalid_credentials` when the current password is wrong.
   * @throws ThrottledError `protection.too_many_attempts` past the account's sign-in limits.
   * @throws AccountError `account.not_found` when the account no longer exists.
   * @throws WeakPasswordError when the new password breaks the policy.
   */
  async changePassword(input: ChangePasswordInput, client: ClientContext): Promise<void> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new AccountError('account.not_found');
    await this.verifyCurrentPassword(user, input.currentPassword, client);
    await this.policy.enforce(input.newPassword, { email: user.emailNormalized });
    const password = await this.hasher.hash(input.newPassword);
    const ipHash = this.ipHasher.hash(client.ip);
    await this.db.withTransaction(async (tx) => {
      await this.users.setPassword(user.id, password, tx);
      await this.sessions.revokeAll(tx, {
        userId: user.id,
        reason: 'password_changed',
        exceptSessionId: input.sessionId,
        ipHash,
      });
      await this.queuePasswordChanged(tx, user);
      await this.events.emit(tx, 'user.password_changed', { userId: user.id, ipHash });
    });
  }

  /**
   * Re-authentication under the account's sign-in limits (a stolen session must not be a way
   * to guess the password outside them). A federated-only account has no password to know:
   * the same argon2 work, then refused.
   */
  private async verifyCurrentPassword(
    user: User,
    password: string,
    client: ClientContext,
  ): Promise<void> {
    const valid = await this.loginThrottle.guard(
      { email: user.email, ip: client.ip, userId: user.id },
      async () => (await this.hasher.verifyStored(user.password, password)).valid,
    );
    if (!valid) throw new AccountError('account.invalid_credentials');
  }

  private queuePasswordChanged(tx: Tx, user: User): Promise<void> {
    return this.mail.queue(tx, {
      template: 'password_changed',
      to: user.email,
      vars: { name: user.name ?? undefined },
    });
  }
}
