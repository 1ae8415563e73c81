// Original file: proto/identity/v1/identity.proto


/**
 * The permissions of a role changed, or the role was deleted: every permission set cached
 * for a user holding this role is stale.
 */
export interface RoleChanged {
  'role'?: (string);
  'deleted'?: (boolean);
}

/**
 * The permissions of a role changed, or the role was deleted: every permission set cached
 * for a user holding this role is stale.
 */
export interface RoleChanged__Output {
  'role': (string);
  'deleted': (boolean);
}
