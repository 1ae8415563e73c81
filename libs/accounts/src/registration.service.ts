import { Injectable } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Database, type Tx } from '@identity/database';
import { EmailService } from '@identity/delivery';
import { PasswordHasher, PasswordPolicy } from '@identity/passwords';
import { LoginThrottle, MailThrottle } from '@identity/protection';
import { type ClientContext, IpHasher } from '@identity/sessions';
import { AccountError } from './account.errors';
import { type AccountRequest, AccountRequests } from './account-requests';
import { EmailConfirmation } from './email-confirmation';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';
import {
  canonicalEmail,
  isValidEmail,
  normalizeEmail,
  type User,
  UserRepository,
} from '@identity/users';

/** What `POST /auth/register` carries. */
export interface RegisterInput {
  email: string;
  password: string;
  name?: string;
}

/** Registration with a password, and proving the mailbox (verification links). */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly verifications: EmailVerificationRepository,
    private readonly resets: PasswordResetRepository,
    private readonly confirmation: EmailConfirmation,
    private readonly hasher: PasswordHasher,
    private readonly policy: PasswordPolicy,
    private readonly access: AccessService,
    private readonly mail: EmailService,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
    private readonly mailThrottle: MailThrottle,
    private readonly requests: AccountRequests,
    private readonly loginThrottle: LoginThrottle,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Registers an account and mails a verification link. Resolves the same way, after the same
   * work, whether or not the email already has an account (that owner is mailed an
   * `account_exists` notice with a reset link instead): the password is hashed, the account
   * inserted unless the address is taken (one statement either way) and the request queued in
   * the same transaction; the mail (or the notice) and `user.registered` follow in the outbox
   * worker ({@link completeRegistration}), so neither the answer nor its timing tells anyone
   * which addresses are registered. The account exists (unverified) as soon as this resolves.
   * @throws AccountError `account.invalid_email` for an address API.md refuses.
   * @throws WeakPasswordError when the password breaks the policy (checked first).
   * @throws ThrottledError `protection.rate_limited` past the mail budget of the email or IP.
   */
  async register(input: RegisterInput, client: ClientContext): Promise<void> {
    if (!isValidEmail(input.email)) throw new AccountError('account.invalid_email');
    const emailNormalized = normalizeEmail(input.email);
    await this.policy.enforce(input.password, { email: emailNormalized });
    // Every request that mails (or would mail) counts, known address or not.
    await this.mailThrottle.consume({ email: emailNormalized, ip: client.ip });
    const password = await this.hasher.hash(input.password);
    const ipHash = this.ipHasher.hash(client.ip);
    await this.db.withTransaction(async (tx) => {
      const created = await this.users.createIfAbsent(
        {
          email: canonicalEmail(input.email),
          emailNormalized,
          name: input.name?.trim() || null,
          password,
        },
        tx,
      );
      await this.requests.submit(
        { action: 'register', emailNormalized, createdUserId: created?.id ?? null, ipHash },
        tx,
      );
    });
  }

  /**
   * The worker's half of {@link register}: the new account gets its default role, its
   * verification link and `user.registered`; for an address that had an account, its owner
   * is mailed a notice.
   */
  async completeRegistration(
    request: Extract<AccountRequest, { action: 'register' }>,
  ): Promise<void> {
    if (request.createdUserId === null) {
      const owner = await this.users.findByEmail(request.emailNormalized);
      if (owner) await this.notifyOwner(owner);
      return;
    }
    const user = await this.users.findById(request.createdUserId);
    if (!user) return; // deleted meanwhile
    await this.db.withTransaction(async (tx) => {
      await this.access.grantDefaultRole(user.id, tx);
      await this.sendVerification(tx, user);
      await this.events.emit(tx, 'user.registered', {
        userId: user.id,
        via: 'password',
        ipHash: request.ipHash,
      });
    });
  }

  /**
   * Whether a verification link is live (unknown, used and expired ones are not), without
   * using it: opening the link only shows the page that asks for the password.
   */
  async isVerificationLinkLive(token: string): Promise<boolean> {
    return (await this.verifications.findLiveUserId(token)) !== null;
  }

  /**
   * Verifies the email with the link's token AND the password chosen at registration: the
   * link alone proves only that someone can read the mailbox (or that a mail scanner fetched
   * it), not that the mailbox's owner is the one who registered. Otherwise whoever registers
   * someone else's address first would have its owner verify the account for them. A wrong
   * password counts like a failed sign-in and leaves the token usable. Idempotent: an already
   * verified account stays verified.
   * @throws AccountError `account.token_invalid` when the token is unknown, used or expired;
   *   `account.invalid_credentials` for a wrong password.
   * @throws ThrottledError `protection.too_many_attempts` past the account's sign-in limits.
   */
  async verifyEmail(
    input: { token: string; password: string },
    client: ClientContext,
  ): Promise<void> {
    const userId = await this.verifications.findLiveUserId(input.token);
    const user = userId ? await this.users.findById(userId) : null;
    if (!user) throw new AccountError('account.token_invalid');
    const valid = await this.loginThrottle.guard(
      { email: user.email, ip: client.ip, userId: user.id },
      async () => (await this.hasher.verifyStored(user.password, input.password)).valid,
    );
    if (!valid) throw new AccountError('account.invalid_credentials');
    const ipHash = this.ipHasher.hash(client.ip);
    await this.db.withTransaction(async (tx) => {
      // The check above is not the guard: only this single-statement consume is.
      if ((await this.verifications.consume(input.token, tx)) !== user.id) {
        throw new AccountError('account.token_invalid');
      }
      await this.confirmation.confirm(tx, { userId: user.id, ipHash });
    });
  }

  /**
   * Mails a fresh verification link if `email` belongs to an active, unverified account.
   * Always resolves after the same work, with nothing to tell the cases apart (API.md: 202
   * either way): the request is queued and the lookup happens in the outbox worker.
   * @throws ThrottledError `protection.rate_limited` past the mail budget of the email or IP.
   */
  async resendVerification(email: string, client: ClientContext): Promise<void> {
    if (!isValidEmail(email)) return;
    const emailNormalized = normalizeEmail(email);
    await this.mailThrottle.consume({ email: emailNormalized, ip: client.ip });
    await this.requests.submit({
      action: 'resend_verification',
      emailNormalized,
      ipHash: this.ipHasher.hash(client.ip),
    });
  }

  /** The worker's half of {@link resendVerification}. */
  async completeResend(
    request: Extract<AccountRequest, { action: 'resend_verification' }>,
  ): Promise<void> {
    const user = await this.users.findByEmail(request.emailNormalized);
    if (!user || user.emailVerifiedAt || user.status !== 'active') return;
    await this.db.withTransaction((tx) => this.sendVerification(tx, user));
  }

  private async sendVerification(tx: Tx, user: User): Promise<void> {
    const token = await this.verifications.issue(
      { userId: user.id, ttlSeconds: this.config.tokenTtl.verifyEmail },
      tx,
    );
    await this.mail.queue(tx, {
      template: 'verify_email',
      to: user.email,
      vars: { token, name: user.name ?? undefined },
    });
  }

  /**
   * Someone registered an address that has an account: its owner (at the stored address, not
   * the typed one) gets a notice with a reset link, in case they forgot they had signed up. A
   * locked account gets nothing: a reset link must not be a way around an admin's lock.
   */
  private async notifyOwner(owner: User): Promise<void> {
    if (owner.status !== 'active') return;
    await this.db.withTransaction(async (tx) => {
      const token = await this.resets.issue(
        { userId: owner.id, ttlSeconds: this.config.tokenTtl.resetPassword },
        tx,
      );
      await this.mail.queue(tx, {
        template: 'account_exists',
        to: owner.email,
        vars: { token, name: owner.name ?? undefined },
      });
    });
  }
}
