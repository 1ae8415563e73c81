import { DomainError } from '@identity/kernel';

/**
 * Codes of errors the access context throws; each transport maps them exhaustively (HTTP:
 * `validation_failed` 400, `not_found` 404, `role_in_use` 409, `last_admin` 409; gRPC: `INVALID_ARGUMENT`,
 * `NOT_FOUND`).
 */
export type AccessErrorCode =
  /** No account has this id. */
  | 'access.user_not_found'
  /** An assignment names roles that do not exist (listed in `details`). */
  | 'access.unknown_role'
  /** No role has this name. */
  | 'access.role_not_found'
  /** A built-in role (`admin`, `user`), or one still held by users, cannot be deleted. */
  | 'access.role_in_use'
  /** A role name outside `^[a-z][a-z0-9_.-]{0,63}$`. */
  | 'access.invalid_role_name'
  /** Permissions that are not `resource:action` strings (listed in `details`). */
  | 'access.invalid_permission'
  /** The built-in `admin` role must keep `identity:admin`, or nobody could administer. */
  | 'access.admin_permission_required'
  /** The change would leave no unlocked account holding `admin`: nobody could administer. */
  | 'access.last_admin';

/** A refusal of the access context; `details` name the offending values. */
export class AccessError extends DomainError<AccessErrorCode> {}
