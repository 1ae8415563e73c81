import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '@identity/database';
import { UserRoleEntity } from './access.entities';

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
}
