// Original file: proto/identity/v1/identity.proto


export interface VerifyTokenRequest {
  'token'?: (string);
  /**
   * Expected audience; empty = the platform's default audience.
   */
  'audience'?: (string);
}

export interface VerifyTokenRequest__Output {
  'token': (string);
  /**
   * Expected audience; empty = the platform's default audience.
   */
  'audience': (string);
}
