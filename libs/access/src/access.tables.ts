/**
 * The RBAC tables (migrations/1764000000000-initial-schema.ts), for their repository only:
 * - `roles` (`name` PK matching `ck_roles_name`, `description`, `built_in`: `user` and
 *   `admin` are seeded built in);
 * - `permissions` (`name` PK, `resource:action`, `ck_permissions_name`);
 * - `role_permissions` (`role_name`, `permission_name`), deleted with their role;
 * - `user_roles` (`user_id`, `role_name`, `created_at`): `fk_user_roles_role` is ON DELETE
 *   RESTRICT, so a role still held cannot be deleted.
 */

/** A role with its permissions. */
export interface RoleRecord {
  name: string;
  description: string;
  builtIn: boolean;
  /** Sorted. */
  permissions: string[];
}

/** One role with the sorted names of its permissions, by `name`; append WHERE/GROUP BY. */
export const ROLE_SELECT = `
  SELECT r.name, r.description, r.built_in,
         COALESCE(array_agg(rp.permission_name ORDER BY rp.permission_name)
                  FILTER (WHERE rp.permission_name IS NOT NULL), '{}') AS permissions
    FROM roles r
    LEFT JOIN role_permissions rp ON rp.role_name = r.name`;

export interface RoleRow {
  name: string;
  description: string;
  built_in: boolean;
  permissions: string[];
}

export function toRoleRecord(row: RoleRow): RoleRecord {
  return {
    name: row.name,
    description: row.description,
    builtIn: row.built_in,
    permissions: row.permissions,
  };
}
