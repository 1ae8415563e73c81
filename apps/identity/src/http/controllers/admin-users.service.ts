import { Injectable } from '@nestjs/common';
import { AccessError, AccessService } from '@identity/access';
import { normalizeEmail, type UserProfileRow, UserRepository } from '@identity/accounts';
import { EventBus } from '@identity/audit';
import { Database } from '@identity/database';
import { SessionService } from '@identity/sessions';

/** An account as the admin API shows it. */
export interface AdminUserView extends UserProfileRow {
  /** Sorted. */
  roles: string[];
}

/**
 * The admin use cases on accounts that span several contexts (accounts, sessions, access,
 * audit). They live in the app because the accounts and sessions contexts depend on access,
 * so access cannot reach back into them.
 */
@Injectable()
export class AdminUsersService {
  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly events: EventBus,
  ) {}

  /** The account with this email (compared normalised), as a list of zero or one. */
  async findByEmail(email: string): Promise<AdminUserView[]> {
    const user = await this.users.findByNormalizedEmail(normalizeEmail(email));
    return user ? [await this.get(user.id)] : [];
  }

  /**
   * One account with its roles.
   * @throws AccessError `access.user_not_found` for an unknown or malformed id.
   */
  async get(userId: string): Promise<AdminUserView> {
    const profile = await this.users.findProfile(userId);
    if (!profile) throw new AccessError('access.user_not_found');
    const { roles } = await this.access.grantsOf(profile.id);
    return { ...profile, roles };
  }

  /**
   * Locks the account and ends every session of it, in one transaction (one statement for the
   * sessions; their access tokens are denylisted once it commits); emits `user.locked` when
   * the account was not locked yet. Answers once every instance has the new lock state.
   * Idempotent.
   * @throws AccessError `access.user_not_found` for an unknown or malformed id.
   */
  async lock(userId: string, actorId: string): Promise<void> {
    await this.db.withTransaction(async (manager) => {
      const outcome = await this.users.setStatus(userId, 'locked', manager);
      if (outcome === 'not_found') throw new AccessError('access.user_not_found');
      await this.sessions.revokeAll(manager, { userId, reason: 'account_locked', actorId });
      if (outcome === 'changed') {
        await this.events.emit(manager, 'user.locked', { userId, actorId });
      }
    });
    await this.access.propagated();
  }

  /**
   * Lets the account sign in again (its old sessions stay dead); emits `user.unlocked` when
   * it was locked. Idempotent.
   * @throws AccessError `access.user_not_found` for an unknown or malformed id.
   */
  async unlock(userId: string, actorId: string): Promise<void> {
    await this.db.withTransaction(async (manager) => {
      const outcome = await this.users.setStatus(userId, 'active', manager);
      if (outcome === 'not_found') throw new AccessError('access.user_not_found');
      if (outcome === 'changed') {
        await this.events.emit(manager, 'user.unlocked', { userId, actorId });
      }
    });
    await this.access.propagated();
  }
}
