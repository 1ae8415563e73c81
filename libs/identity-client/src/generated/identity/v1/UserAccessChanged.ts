// Original file: proto/identity/v1/identity.proto


/**
 * The user's roles changed: permissions cached for this user are stale. `roles` are the new
 * roles; ask GetUserPermissions for the permissions they grant.
 */
export interface UserAccessChanged {
  'user_id'?: (string);
  'roles'?: (string)[];
}

/**
 * The user's roles changed: permissions cached for this user are stale. `roles` are the new
 * roles; ask GetUserPermissions for the permissions they grant.
 */
export interface UserAccessChanged__Output {
  'user_id': (string);
  'roles': (string)[];
}
