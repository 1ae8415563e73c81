import { Injectable } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { EventBus } from '@identity/audit';
import type { Tx } from '@identity/database';
import { SessionService } from '@identity/sessions';
import { canonicalEmail, normalizeEmail, type User, UserRepository } from '@identity/users';
import { EmailConfirmation } from './email-confirmation';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';

/** A new account for an address a sign-in provider vouched for. */
export interface ProviderVouchedAccountInput {
  /** The address as the provider gave it (a valid address: the caller checked it). */
  email: string;
  name: string | null;
  ipHash: string;
}

/**
 * Accounts whose mailbox an identity provider proved (a verified email at Google, GitHub, the
 * generic OIDC provider): registration without a password, and the takeover of an address
 * that someone registered but never verified. Both run in the caller's (the federated
 * sign-in's) transaction, so the account, its identity and its events commit together.
 */
@Injectable()
export class ProviderVouchedAccounts {
  constructor(
    private readonly users: UserRepository,
    private readonly verifications: EmailVerificationRepository,
    private readonly resets: PasswordResetRepository,
    private readonly confirmation: EmailConfirmation,
    private readonly access: AccessService,
    private readonly sessions: SessionService,
    private readonly events: EventBus,
  ) {}

  /**
   * Creates a verified account without a password, with the default role: `user.registered`
   * (`via: 'oidc'`), then the mailbox confirmation every verified account goes through
   * (`user.email_verified`, and the `BOOTSTRAP_ADMIN_EMAIL` grant).
   * @throws the unique violation on `USER_EMAIL_CONSTRAINT` when the address was taken
   *   meanwhile (it aborts `tx`; the caller decides again).
   */
  async register(tx: Tx, input: ProviderVouchedAccountInput): Promise<User> {
    const user = await this.users.create(
      {
        email: canonicalEmail(input.email),
        emailNormalized: normalizeEmail(input.email),
        name: input.name?.trim() || null,
        password: null,
      },
      tx,
    );
    await this.access.grantDefaultRole(user.id, tx);
    await this.events.emit(tx, 'user.registered', {
      userId: user.id,
      via: 'oidc',
      ipHash: input.ipHash,
    });
    await this.confirmation.confirm(tx, { userId: user.id, ipHash: input.ipHash });
    return user;
  }

  /**
   * The provider proved the mailbox of an account that was registered but never verified:
   * whoever registered it never proved they own the address (it may be an attacker waiting
   * for the owner to arrive: "pre-account hijacking"), so nothing they set up survives. The
   * password is removed, pending verification and reset links are used up, every session is
   * revoked (there should be none: an unverified account cannot sign in), and the email counts
   * as verified. Only while the account is still unverified (compare-and-set).
   * @returns false when the account was verified meanwhile (or is gone): nothing changed, and
   *   the caller must treat it as a verified account (linking needs its owner's session).
   */
  async takeOverUnverified(tx: Tx, input: { userId: string; ipHash: string }): Promise<boolean> {
    const { userId, ipHash } = input;
    // Links first, then the account row: the order a verification or a reset takes its locks
    // in (its token, then the account), so a link used at this very moment waits or wins
    // instead of deadlocking. Links of an account found verified meanwhile are spent for
    // nothing, which costs its owner a new mail at worst.
    await this.verifications.invalidateAll(userId, tx);
    await this.resets.invalidateAll(userId, tx);
    if (!(await this.users.voidPasswordOfUnverified(userId, tx))) return false;
    // A password reset is the nearest reason the contract names: the password is gone.
    await this.sessions.revokeAll(tx, { userId, reason: 'password_reset', ipHash });
    await this.confirmation.confirm(tx, { userId, ipHash });
    return true;
  }
}
