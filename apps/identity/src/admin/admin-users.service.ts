import { Injectable } from '@nestjs/common';
import { ADMIN_ROLE, AccessService } from '@identity/access';
import { EventBus } from '@identity/audit';
import { Database } from '@identity/database';
import { TotpEnrolmentService } from '@identity/mfa';
import { SessionService } from '@identity/sessions';
import { normalizeEmail, type User, type UserProfile, UserRepository } from '@identity/users';
import { AdminError } from './admin.errors';
import { Clock } from '@identity/kernel';

/** An account as the admin API shows it. */
export interface AdminUserView extends UserProfile {
  /** Sorted. */
  roles: string[];
}

/**
 * The admin use cases on accounts. They span several contexts (users, sessions, access,
 * audit) and belong to none of them, so they live here, beside the transports that call them:
 * the admin REST API and the CLI.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    private readonly totp: TotpEnrolmentService,
  ) {}

  /** The account with this email (compared normalised), as a list of zero or one. */
  async findByEmail(email: string): Promise<AdminUserView[]> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    return user ? [await this.get(user.id)] : [];
  }

  /**
   * One account with its roles.
   * @throws AdminError `admin.user_not_found` for an unknown id.
   */
  async get(userId: string): Promise<AdminUserView> {
    const profile = await this.users.findProfile(userId);
    if (!profile) throw new AdminError('admin.user_not_found');
    const { roles } = await this.access.grantsOf(profile.id);
    return { ...profile, roles };
  }

  /**
   * Locks the account and ends every session of it, in one transaction (one statement for the
   * sessions; their access tokens are denylisted once it commits); emits `user.locked` when
   * the account was not locked yet. Answers once every instance has the new lock state.
   * Idempotent.
   * @throws AdminError `admin.user_not_found` for an unknown id; AccessError
   *   `access.last_admin` when it is the last unlocked admin.
   */
  async lock(userId: string, actorId: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      const outcome = await this.users.setStatus(
        userId,
        { status: 'locked', at: this.clock.now() },
        tx,
      );
      if (outcome === 'not_found') throw new AdminError('admin.user_not_found');
      await this.access.assertAnAdminRemains(tx);
      await this.sessions.revokeAll(tx, { userId, reason: 'account_locked', actorId });
      if (outcome === 'changed') await this.events.emit(tx, 'user.locked', { userId, actorId });
    });
    await this.access.propagated();
  }

  /**
   * Lets the account sign in again (its old sessions stay dead); emits `user.unlocked` when
   * it was locked. Idempotent.
   * @throws AdminError `admin.user_not_found` for an unknown id.
   */
  async unlock(userId: string, actorId: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      const outcome = await this.users.setStatus(
        userId,
        { status: 'active', at: this.clock.now() },
        tx,
      );
      if (outcome === 'not_found') throw new AdminError('admin.user_not_found');
      if (outcome === 'changed') await this.events.emit(tx, 'user.unlocked', { userId, actorId });
    });
    await this.access.propagated();
  }

  /**
   * Resets the account's second factor for an owner who lost it (the CLI's `reset-mfa`): TOTP
   * and recovery codes are removed and every session ends, in one transaction (audited as
   * `mfa.disabled` with `actorId` when TOTP was on, and `session.revoked`; the sessions'
   * access tokens are denylisted and their sockets told once it commits). The owner signs in with the password
   * alone next time and can enrol again. Idempotent.
   * @throws AdminError `admin.user_not_found` for an unknown id.
   */
  async resetMfa(
    userId: string,
    actorId: string,
  ): Promise<{ mfaWasEnabled: boolean; sessionsRevoked: number }> {
    const user = await this.users.findById(userId);
    if (!user) throw new AdminError('admin.user_not_found');
    return this.db.withTransaction(async (tx) => {
      const mfaWasEnabled = await this.totp.resetByOperator(tx, { user, actorId });
      const revoked = await this.sessions.revokeAll(tx, {
        userId,
        reason: 'session_revoked',
        actorId,
      });
      return { mfaWasEnabled, sessionsRevoked: revoked.length };
    });
  }

  /**
   * Makes `roles` exactly the account's roles; refused when no unlocked admin would remain.
   * Seen by every instance before it returns.
   * @throws AccessError `access.last_admin`, `access.unknown_role`, `access.user_not_found`.
   */
  setRoles(input: {
    userId: string;
    roles: readonly string[];
    actorId: string;
  }): Promise<string[]> {
    return this.access.setUserRoles({
      ...input,
      guard: (tx) => this.access.assertAnAdminRemains(tx),
    });
  }

  /**
   * Gives `admin` to the account with this email (the CLI's `create-admin`); audited as
   * `user.roles_changed` and seen by every instance before it returns.
   * @throws AdminError `admin.user_not_found` when no account has this email,
   *   `admin.email_not_verified` when its owner has not proven the mailbox (whoever registered
   *   someone else's address must never be made admin by it).
   */
  async grantAdmin(email: string): Promise<{ user: User; roles: string[] }> {
    const user = await this.users.findByEmail(normalizeEmail(email));
    if (!user) throw new AdminError('admin.user_not_found');
    if (!user.emailVerifiedAt) throw new AdminError('admin.email_not_verified');
    const roles = await this.access.addUserRole({ userId: user.id, role: ADMIN_ROLE });
    return { user, roles };
  }
}
