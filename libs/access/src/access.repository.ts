import { Injectable } from '@nestjs/common';
import { Database, isForeignKeyViolation, type Tx } from '@identity/database';
import { ROLE_SELECT, type RoleRecord, type RoleRow, toRoleRecord } from './access.tables';

/** How {@link AccessRepository.deleteRole} ended. */
export type RoleDeletion = 'deleted' | 'not_found' | 'in_use';

/** Who holds which role, and what those roles permit. */
@Injectable()
export class AccessRepository {
  constructor(private readonly db: Database) {}

  /** Gives a role (idempotent). */
  async assignRole(userId: string, role: string, tx?: Tx): Promise<void> {
    await this.db.execute(
      `INSERT INTO user_roles (user_id, role_name) VALUES ($1, $2) ON CONFLICT DO NOTHING`,
      [userId, role],
      tx,
    );
  }

  /** A user's role names, sorted. */
  async rolesOf(userId: string, tx?: Tx): Promise<string[]> {
    const rows = await this.db.query<{ role_name: string }>(
      `SELECT role_name FROM user_roles WHERE user_id = $1 ORDER BY role_name`,
      [userId],
      tx,
    );
    return rows.map((r) => r.role_name);
  }

  /** A user's role names and the union of their permissions, both sorted, in one query. */
  async grantsOf(userId: string, tx?: Tx): Promise<{ roles: string[]; permissions: string[] }> {
    const rows = await this.db.query<{ role_name: string; permission_name: string | null }>(
      `SELECT ur.role_name, rp.permission_name
         FROM user_roles ur
         LEFT JOIN role_permissions rp ON rp.role_name = ur.role_name
        WHERE ur.user_id = $1`,
      [userId],
      tx,
    );
    const roles = new Set<string>();
    const permissions = new Set<string>();
    for (const row of rows) {
      roles.add(row.role_name);
      if (row.permission_name) permissions.add(row.permission_name);
    }
    return { roles: [...roles].sort(), permissions: [...permissions].sort() };
  }

  /** Every role with its permissions, by name. */
  async listRoles(tx?: Tx): Promise<RoleRecord[]> {
    const rows = await this.db.query<RoleRow>(
      `${ROLE_SELECT} GROUP BY r.name ORDER BY r.name`,
      [],
      tx,
    );
    return rows.map(toRoleRecord);
  }

  /** One role with its permissions; null when there is none of that name. */
  async findRole(name: string, tx?: Tx): Promise<RoleRecord | null> {
    const row = await this.db.one<RoleRow>(
      `${ROLE_SELECT} WHERE r.name = $1 GROUP BY r.name`,
      [name],
      tx,
    );
    return row && toRoleRecord(row);
  }

  /** Which of `names` are existing roles. */
  async existingRoleNames(names: readonly string[], tx?: Tx): Promise<string[]> {
    if (names.length === 0) return [];
    const rows = await this.db.query<{ name: string }>(
      `SELECT name FROM roles WHERE name = ANY($1::text[])`,
      [names],
      tx,
    );
    return rows.map((r) => r.name);
  }

  /** Makes `roles` exactly the user's roles: one statement removes, one adds. */
  async replaceUserRoles(userId: string, roles: readonly string[], tx: Tx): Promise<void> {
    await this.db.execute(
      `DELETE FROM user_roles WHERE user_id = $1 AND NOT (role_name = ANY($2::text[]))`,
      [userId, roles],
      tx,
    );
    await this.db.execute(
      `INSERT INTO user_roles (user_id, role_name)
       SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING`,
      [userId, roles],
      tx,
    );
  }

  /**
   * Creates the role or replaces its permissions (and its description, when given). The
   * upsert locks the role's row, so concurrent replacements of one role apply one after the
   * other. Unknown permission names are registered on the way.
   */
  async saveRole(
    role: { name: string; description?: string; permissions: readonly string[] },
    tx: Tx,
  ): Promise<void> {
    await this.db.execute(
      `INSERT INTO roles (name, description) VALUES ($1, COALESCE($2::text, ''))
       ON CONFLICT (name) DO UPDATE
         SET description = COALESCE($2::text, roles.description), updated_at = now()`,
      [role.name, role.description ?? null],
      tx,
    );
    await this.db.execute(
      `INSERT INTO permissions (name) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`,
      [role.permissions],
      tx,
    );
    await this.db.execute(
      `DELETE FROM role_permissions
        WHERE role_name = $1 AND NOT (permission_name = ANY($2::text[]))`,
      [role.name, role.permissions],
      tx,
    );
    await this.db.execute(
      `INSERT INTO role_permissions (role_name, permission_name)
       SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING`,
      [role.name, role.permissions],
      tx,
    );
  }

  /** True while some user holds the role. */
  async isRoleHeld(name: string, tx?: Tx): Promise<boolean> {
    const row = await this.db.one<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM user_roles WHERE role_name = $1) AS held`,
      [name],
      tx,
    );
    return row?.held ?? false;
  }

  /**
   * Deletes a role that nobody holds (its permission links go with it). A user given the role
   * meanwhile makes `fk_user_roles_role` refuse: `in_use`, and the caller's transaction is
   * then aborted.
   */
  async deleteRole(name: string, tx: Tx): Promise<RoleDeletion> {
    try {
      const { affected } = await this.db.execute(`DELETE FROM roles WHERE name = $1`, [name], tx);
      return affected > 0 ? 'deleted' : 'not_found';
    } catch (err) {
      if (isForeignKeyViolation(err, 'fk_user_roles_role')) return 'in_use';
      throw err;
    }
  }
}
