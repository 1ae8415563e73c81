import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '@identity/database';
import { RoleEntity, UserRoleEntity } from './access.entities';

/** A role with its permissions, as stored. */
export interface RoleRow {
  name: string;
  description: string;
  builtIn: boolean;
  /** Sorted. */
  permissions: string[];
}

/** What access decisions need to know about one account: its roles and whether it is locked. */
export interface SubjectRow {
  /** Sorted. */
  roles: string[];
  locked: boolean;
}

/** How {@link AccessRepository.deleteRole} ended. */
export type RoleDeletion = 'deleted' | 'not_found' | 'in_use';

/** Postgres foreign_key_violation: `fk_user_roles_role` (ON DELETE RESTRICT) refused a delete. */
const FOREIGN_KEY_VIOLATION = '23503';

const ROLE_SELECT = `
  SELECT r.name, r.description, r.built_in,
         COALESCE(array_agg(rp.permission_name ORDER BY rp.permission_name)
                  FILTER (WHERE rp.permission_name IS NOT NULL), '{}') AS permissions
    FROM roles r
    LEFT JOIN role_permissions rp ON rp.role_name = r.name`;

interface RoleQueryRow {
  name: string;
  description: string;
  built_in: boolean;
  permissions: string[];
}

/** Who holds which role, and what those roles permit. */
@Injectable()
export class AccessRepository {
  constructor(private readonly db: Database) {}

  /** Gives a role (idempotent). */
  async assignRole(userId: string, role: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.db.manager)
      .createQueryBuilder()
      .insert()
      .into(UserRoleEntity)
      .values({ userId, roleName: role })
      .orIgnore()
      .execute();
  }

  /** A user's role names and the union of their permissions, in one query. */
  async grantsOf(
    userId: string,
    manager?: EntityManager,
  ): Promise<{ roles: string[]; permissions: string[] }> {
    const rows = await (manager ?? this.db.manager).query<
      { role_name: string; permission_name: string | null }[]
    >(
      `SELECT ur.role_name, rp.permission_name
         FROM user_roles ur
         LEFT JOIN role_permissions rp ON rp.role_name = ur.role_name
        WHERE ur.user_id = $1`,
      [userId],
    );
    const roles = new Set<string>();
    const permissions = new Set<string>();
    for (const row of rows) {
      roles.add(row.role_name);
      if (row.permission_name) permissions.add(row.permission_name);
    }
    return { roles: [...roles].sort(), permissions: [...permissions].sort() };
  }

  /**
   * The account's roles and lock state in one query; null when no account has this id (pass
   * a UUID). This reads `users.status`, one column of the accounts context's table: access
   * decisions need it on every token check, and the accounts context depends on this one,
   * not the reverse.
   */
  async subjectOf(userId: string, manager?: EntityManager): Promise<SubjectRow | null> {
    const rows = await (manager ?? this.db.manager).query<{ locked: boolean; roles: string[] }[]>(
      `SELECT u.status = 'locked' AS locked,
              COALESCE(array_agg(ur.role_name ORDER BY ur.role_name)
                       FILTER (WHERE ur.role_name IS NOT NULL), '{}') AS roles
         FROM users u
         LEFT JOIN user_roles ur ON ur.user_id = u.id
        WHERE u.id = $1
        GROUP BY u.id, u.status`,
      [userId],
    );
    const row = rows[0];
    return row ? { locked: row.locked, roles: row.roles } : null;
  }

  /** Every role with its permissions, by name. */
  async listRoles(manager?: EntityManager): Promise<RoleRow[]> {
    const rows = await (manager ?? this.db.manager).query<RoleQueryRow[]>(
      `${ROLE_SELECT} GROUP BY r.name ORDER BY r.name`,
    );
    return rows.map(toRoleRow);
  }

  /** One role with its permissions; null when there is none of that name. */
  async findRole(name: string, manager?: EntityManager): Promise<RoleRow | null> {
    const rows = await (manager ?? this.db.manager).query<RoleQueryRow[]>(
      `${ROLE_SELECT} WHERE r.name = $1 GROUP BY r.name`,
      [name],
    );
    return rows[0] ? toRoleRow(rows[0]) : null;
  }

  /** Which of `names` are existing roles. */
  async existingRoleNames(names: readonly string[], manager?: EntityManager): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await (manager ?? this.db.manager).query<{ name: string }[]>(
      `SELECT name FROM roles WHERE name = ANY($1::text[])`,
      [names],
    );
    return rows.map((r) => r.name);
  }

  /** Makes `roles` exactly the user's roles: one statement removes, one adds. */
  async replaceUserRoles(
    userId: string,
    roles: readonly string[],
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `DELETE FROM user_roles WHERE user_id = $1 AND NOT (role_name = ANY($2::text[]))`,
      [userId, roles],
    );
    await manager.query(
      `INSERT INTO user_roles (user_id, role_name)
       SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING`,
      [userId, roles],
    );
  }

  /**
   * Creates the role or replaces its permissions (and its description, when given). The
   * upsert locks the role's row, so concurrent replacements of one role apply one after the
   * other. Unknown permission names are registered on the way.
   */
  async saveRole(
    role: { name: string; description?: string; permissions: readonly string[] },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO roles (name, description) VALUES ($1, COALESCE($2::text, ''))
       ON CONFLICT (name) DO UPDATE
         SET description = COALESCE($2::text, roles.description), updated_at = now()`,
      [role.name, role.description ?? null],
    );
    await manager.query(
      `INSERT INTO permissions (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
      [role.permissions],
    );
    await manager.query(
      `DELETE FROM role_permissions
        WHERE role_name = $1 AND NOT (permission_name = ANY($2::text[]))`,
      [role.name, role.permissions],
    );
    await manager.query(
      `INSERT INTO role_permissions (role_name, permission_name)
       SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING`,
      [role.name, role.permissions],
    );
  }

  /** True while some user holds the role. */
  async isRoleHeld(name: string, manager?: EntityManager): Promise<boolean> {
    const rows = await (manager ?? this.db.manager).query<{ held: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM user_roles WHERE role_name = $1) AS held`,
      [name],
    );
    return rows[0]?.held ?? false;
  }

  /**
   * Deletes a role that nobody holds (its permission links go with it). A user given the role
   * meanwhile makes `fk_user_roles_role` refuse: `in_use`, and the caller's transaction is
   * then aborted.
   */
  async deleteRole(name: string, manager: EntityManager): Promise<RoleDeletion> {
    try {
      const result = await manager
        .createQueryBuilder()
        .delete()
        .from(RoleEntity)
        .where('name = :name', { name })
        .execute();
      return (result.affected ?? 0) > 0 ? 'deleted' : 'not_found';
    } catch (err) {
      if (pgCode(err) === FOREIGN_KEY_VIOLATION) return 'in_use';
      throw err;
    }
  }
}

function toRoleRow(row: RoleQueryRow): RoleRow {
  return {
    name: row.name,
    description: row.description,
    builtIn: row.built_in,
    permissions: row.permissions,
  };
}

function pgCode(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; driverError?: { code?: unknown } };
  return e.code ?? e.driverError?.code;
}
