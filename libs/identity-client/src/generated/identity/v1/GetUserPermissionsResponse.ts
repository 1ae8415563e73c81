// Original file: proto/identity/v1/identity.proto


export interface GetUserPermissionsResponse {
  'user_id'?: (string);
  'roles'?: (string)[];
  'permissions'?: (string)[];
}

export interface GetUserPermissionsResponse__Output {
  'user_id': (string);
  'roles': (string)[];
  'permissions': (string)[];
}
