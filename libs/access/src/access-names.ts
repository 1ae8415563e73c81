/** Role every registered account receives. */
export const DEFAULT_ROLE = 'user';
/** Role that administers the platform. */
export const ADMIN_ROLE = 'admin';
/** The permission every admin route demands. */
export const ADMIN_PERMISSION = 'identity:admin';
/** Roles seeded by the initial migration: they can be edited, never deleted. */
export const BUILT_IN_ROLES: readonly string[] = [DEFAULT_ROLE, ADMIN_ROLE];

/** Same rule as the `ck_roles_name` constraint. */
const ROLE_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
/** Same rule as the `ck_permissions_name` constraint: `resource:action`. */
const PERMISSION_NAME = /^[a-z][a-z0-9_.-]{0,63}:[a-z*][a-z0-9_.*-]{0,63}$/;

/** True for a name the `roles` table accepts. */
export function isRoleName(name: string): boolean {
  return ROLE_NAME.test(name);
}

/** True for a `resource:action` permission the `permissions` table accepts. */
export function isPermissionName(name: string): boolean {
  return PERMISSION_NAME.test(name);
}
