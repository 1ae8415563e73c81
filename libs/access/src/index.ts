/** `@identity/access`: roles, permissions (`resource:action`), who holds them, and token introspection. */
export { AccessModule } from './access.module';
export {
  AccessService,
  DEFAULT_ROLE,
  type Grants,
  type UserAccess,
  type SetUserRolesInput,
} from './access.service';
export { RoleService, type RoleView, type SaveRoleInput } from './role.service';
export {
  TokenIntrospection,
  type Introspection,
  type ActiveToken,
  type InactiveReason,
} from './token-introspection.service';
export { AccessError, type AccessErrorCode } from './access.errors';
export { ACCESS_CHANGED_CHANNEL } from './access-cache';
export {
  ADMIN_PERMISSION,
  ADMIN_ROLE,
  BUILT_IN_ROLES,
  isPermissionName,
  isRoleName,
} from './access-names';
