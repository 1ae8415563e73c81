// Original file: proto/identity/v1/identity.proto


export interface GetUserPermissionsRequest {
  'user_id'?: (string);
}

export interface GetUserPermissionsRequest__Output {
  'user_id': (string);
}
