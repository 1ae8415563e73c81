import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { Database } from '@identity/database';
import { AccessCache } from './access-cache';
import { AccessError } from './access.errors';
import {
  ADMIN_PERMISSION,
  ADMIN_ROLE,
  BUILT_IN_ROLES,
  isPermissionName,
  isRoleName,
} from './access-names';
import { AccessRepository } from './access.repository';
import type { RoleRecord } from './access.tables';

/** A role as the admin API shows it. */
export interface RoleView {
  name: string;
  description: string;
  /** Sorted `resource:action` strings. */
  permissions: string[];
}

/** What `PUT /admin/roles/:name` carries. */
export interface SaveRoleInput {
  name: string;
  permissions: readonly string[];
  /** Absent: a new role gets '', an existing one keeps its description. */
  description?: string;
  actorId?: string;
}

/** Defining roles and what they permit. Every change is audited and reaches every instance. */
@Injectable()
export class RoleService {
  constructor(
    private readonly db: Database,
    private readonly repo: AccessRepository,
    private readonly cache: AccessCache,
    private readonly events: EventBus,
  ) {}

  /** Every role with its permissions, by name. */
  async list(): Promise<RoleView[]> {
    return (await this.repo.listRoles()).map(toRoleView);
  }

  /**
   * Creates the role or replaces its permissions, and emits `role.updated`, in one
   * transaction. Returns the role as stored.
   * @throws AccessError `access.invalid_role_name`, `access.invalid_permission` (naming them),
   *   `access.admin_permission_required` when `admin` would lose `identity:admin`.
   */
  async save(input: SaveRoleInput): Promise<RoleView> {
    const { name, description, actorId } = input;
    if (!isRoleName(name)) throw new AccessError('access.invalid_role_name', { details: [name] });
    const permissions = [...new Set(input.permissions)].sort();
    const invalid = permissions.filter((p) => !isPermissionName(p));
    if (invalid.length > 0)
      throw new AccessError('access.invalid_permission', { details: invalid });
    if (name === ADMIN_ROLE && !permissions.includes(ADMIN_PERMISSION)) {
      throw new AccessError('access.admin_permission_required');
    }
    const saved = await this.db.withTransaction(async (tx) => {
      await this.repo.saveRole({ name, description, permissions }, tx);
      await this.events.emit(tx, 'role.updated', { role: name, permissions, actorId });
      const row = await this.repo.findRole(name, tx);
      if (!row) throw new Error(`role ${name} vanished inside its own transaction`);
      return row;
    });
    await this.cache.propagated();
    return toRoleView(saved);
  }

  /**
   * Deletes a role and emits `role.deleted`, in one transaction.
   * @throws AccessError `access.role_in_use` for `admin`, `user`, or a role some user still
   *   holds; `access.role_not_found` for an unknown name.
   */
  async delete(input: { name: string; actorId?: string }): Promise<void> {
    const { name, actorId } = input;
    if (BUILT_IN_ROLES.includes(name)) throw new AccessError('access.role_in_use');
    if (!isRoleName(name)) throw new AccessError('access.role_not_found');
    await this.db.withTransaction(async (tx) => {
      if (await this.repo.isRoleHeld(name, tx)) throw new AccessError('access.role_in_use');
      const outcome = await this.repo.deleteRole(name, tx);
      switch (outcome) {
        case 'deleted':
          await this.events.emit(tx, 'role.deleted', { role: name, actorId });
          return;
        case 'not_found':
          throw new AccessError('access.role_not_found');
        case 'in_use':
          throw new AccessError('access.role_in_use');
      }
    });
    await this.cache.propagated();
  }
}

function toRoleView(row: RoleRecord): RoleView {
  return { name: row.name, description: row.description, permissions: row.permissions };
}
