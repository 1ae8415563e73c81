/**
 * `@identity/access`: roles, permissions (`resource:action`), who holds them, token
 * introspection, and the revocation feed internal services watch.
 */
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
  RevocationFeed,
  REVOCATIONS_CHANNEL,
  isFeedCursor,
  type FeedMessage,
  type FeedSink,
  type WatchRequest,
} from './revocation-feed';
export {
  REVOCATION_EVENT_TYPES,
  toRevocationChange,
  type RevocationChange,
} from './revocation-changes';
export {
  ADMIN_PERMISSION,
  ADMIN_ROLE,
  BUILT_IN_ROLES,
  isPermissionName,
  isRoleName,
} from './access-names';
