/**
 * The messages of `proto/identity/v1/identity.proto` as the loader hands them over (`keepCase`,
 * `longs: Number`, `defaults: true`): snake_case fields, int64 as a number.
 */
export interface VerifyTokenRequest {
  token: string;
  /** Empty = the platform's default audience. */
  audience: string;
}

export interface VerifyTokenResponse {
  active: boolean;
  user_id: string;
  session_id: string;
  roles: string[];
  permissions: string[];
  /** Unix seconds; 0 when inactive. */
  expires_at: number;
  /** Empty when active. */
  reason: string;
  mfa: boolean;
  jti: string;
}

export interface GetUserPermissionsRequest {
  user_id: string;
}

export interface GetUserPermissionsResponse {
  user_id: string;
  roles: string[];
  permissions: string[];
}
