import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { Database, type Tx } from '@identity/database';
import { UserRepository } from '@identity/users';
import { AccessCache } from './access-cache';
import { AccessError } from './access.errors';
import { ADMIN_ROLE, DEFAULT_ROLE } from './access-names';
import { AccessRepository } from './access.repository';

export { DEFAULT_ROLE } from './access-names';

/** A user's roles and the union of their permissions, both sorted. */
export interface Grants {
  roles: string[];
  permissions: string[];
}

/** What access decisions know of a user right now: their grants and whether they are locked. */
export interface UserAccess extends Grants {
  locked: boolean;
}

/** Who changes a user's roles, and to what. */
export interface SetUserRolesInput {
  userId: string;
  roles: readonly string[];
  /** The admin who did it, for the audit trail. */
  actorId?: string;
  /**
   * Runs in the transaction after the roles are replaced and before it commits; throwing
   * rolls the change back (the admin use cases keep an unlocked admin this way).
   */
  guard?: (tx: Tx) => Promise<void>;
}

/** Role-based access: what a user is (roles) and may do (permissions, `resource:action`). */
@Injectable()
export class AccessService {
  constructor(
    private readonly db: Database,
    private readonly repo: AccessRepository,
    private readonly users: UserRepository,
    private readonly cache: AccessCache,
    private readonly events: EventBus,
  ) {}

  /** Gives a new account its default role, in the registering transaction. */
  grantDefaultRole(userId: string, tx?: Tx): Promise<void> {
    return this.repo.assignRole(userId, DEFAULT_ROLE, tx);
  }

  /**
   * Gives a role in the caller's transaction, without an event: the caller emits
   * `user.roles_changed` (which also refreshes the caches), as the bootstrap admin grant does.
   */
  grantRole(userId: string, role: string, tx?: Tx): Promise<void> {
    return this.repo.assignRole(userId, role, tx);
  }

  /**
   * The platform always keeps an unlocked admin. Call it in `tx`, after a change that may take
   * an account out of the unlocked admins (an admin's lock or demotion, a deletion): refuses
   * when no active account holds `admin` any more, which rolls the change back. The
   * transaction-scoped lock serialises every such change, so two admins locking, demoting or
   * deleting each other at once cannot both pass and leave nobody.
   * @param change `leaving`: the account the change is about. When given, the rule applies
   *   only if that account holds `admin` (a platform that has no admin yet must still let
   *   ordinary accounts be deleted).
   * @throws AccessError `access.last_admin`.
   */
  async assertAnAdminRemains(tx: Tx, change?: { leaving: string }): Promise<void> {
    await this.db.execute('SELECT pg_advisory_xact_lock($1)', [ADMIN_SET_LOCK], tx);
    if (change) {
      const { roles } = await this.repo.grantsOf(change.leaving, tx);
      if (!roles.includes(ADMIN_ROLE)) return;
    }
    if ((await this.users.countActiveWithRole(ADMIN_ROLE, tx)) === 0) {
      throw new AccessError('access.last_admin');
    }
  }

  /**
   * Roles and permissions of a user, read from Postgres now (in `tx`'s transaction when
   * given). Token minting and the HTTP guard use it; token verification uses
   * {@link currentAccess} (memory).
   */
  grantsOf(userId: string, tx?: Tx): Promise<Grants> {
    return this.repo.grantsOf(userId, tx);
  }

  /**
   * The roles an access token being minted carries, as fresh as {@link currentAccess} (which
   * verification trusts): from memory when this instance has the user cached. On a miss,
   * without `tx` the user is loaded into the cache; with one (minting inside a
   * transaction), read in that transaction and not cached (it may roll back), and the cache
   * is warmed behind it for the user's next token. An unknown user has no roles.
   */
  async rolesForToken(userId: string, tx?: Tx): Promise<string[]> {
    const id = userId.toLowerCase();
    const cached = this.cache.peek(id);
    if (cached) return cached.roles;
    if (!tx) return (await this.cache.subject(id))?.roles ?? [];
    const { roles } = await this.repo.grantsOf(id, tx);
    this.cache.warm(id);
    return roles;
  }

  /**
   * Loads the user into this instance's access cache unless they are there (one statement on
   * a miss, none on a hit). Call it before a transaction that mints the user a token, so that
   * {@link rolesForToken} answers from memory inside it.
   */
  async prime(userId: string): Promise<void> {
    await this.cache.subject(userId.toLowerCase());
  }

  /**
   * A user's roles, permissions and lock state from memory (Postgres only on a miss), as they
   * are after every committed change.
   * @throws AccessError `access.user_not_found` when no account has this id (a UUID).
   */
  async currentAccess(userId: string): Promise<UserAccess> {
    const subject = await this.cache.subject(userId.toLowerCase());
    if (!subject) throw new AccessError('access.user_not_found');
    return {
      roles: subject.roles,
      permissions: await this.cache.permissionsOf(subject.roles),
      locked: subject.locked,
    };
  }

  /**
   * Resolves once every access change this instance committed has reached every instance
   * (see {@link AccessCache.propagated}); at most about a second. Callers that change access
   * state outside this context (an admin lock) await it before answering.
   */
  propagated(): Promise<void> {
    return this.cache.propagated();
  }

  /**
   * Makes `roles` exactly the user's roles and emits `user.roles_changed`, in one transaction;
   * every instance sees the change before the next verification. Returns the roles, sorted.
   * @throws AccessError `access.unknown_role` (naming them) when a role does not exist,
   *   `access.user_not_found` for an unknown user.
   */
  async setUserRoles(input: SetUserRolesInput): Promise<string[]> {
    const { userId, actorId } = input;
    const roles = [...new Set(input.roles)].sort();
    const result = await this.db.withTransaction(async (tx) => {
      if ((await this.users.findStatus(userId, tx)) === null) {
        throw new AccessError('access.user_not_found');
      }
      const known = new Set(await this.repo.existingRoleNames(roles, tx));
      const unknown = roles.filter((r) => !known.has(r));
      if (unknown.length > 0) throw new AccessError('access.unknown_role', { details: unknown });
      await this.repo.replaceUserRoles(userId, roles, tx);
      await input.guard?.(tx);
      await this.events.emit(tx, 'user.roles_changed', { userId, roles, actorId });
      return roles;
    });
    await this.cache.propagated();
    return result;
  }

  /**
   * Adds one role to the user's roles (idempotent) and emits `user.roles_changed` with the
   * result. Returns the user's roles.
   * @throws AccessError as {@link setUserRoles}.
   */
  async addUserRole(input: { userId: string; role: string; actorId?: string }): Promise<string[]> {
    const { userId, role, actorId } = input;
    const result = await this.db.withTransaction(async (tx) => {
      if ((await this.users.findStatus(userId, tx)) === null) {
        throw new AccessError('access.user_not_found');
      }
      const held = await this.repo.rolesOf(userId, tx);
      if ((await this.repo.existingRoleNames([role], tx)).length === 0) {
        throw new AccessError('access.unknown_role', { details: [role] });
      }
      await this.repo.assignRole(userId, role, tx);
      const roles = [...new Set([...held, role])].sort();
      await this.events.emit(tx, 'user.roles_changed', { userId, roles, actorId });
      return roles;
    });
    await this.cache.propagated();
    return result;
  }
}

/** Arbitrary constant beside the other advisory locks: changes to the set of admins. */
const ADMIN_SET_LOCK = 7_413_902_554;
