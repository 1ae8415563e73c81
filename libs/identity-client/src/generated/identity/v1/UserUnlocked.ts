// Original file: proto/identity/v1/identity.proto


export interface UserUnlocked {
  'user_id'?: (string);
}

export interface UserUnlocked__Output {
  'user_id': (string);
}
