// Original file: proto/identity/v1/identity.proto

import type { Long } from '@grpc/proto-loader';

export interface VerifyTokenResponse {
  'active'?: (boolean);
  'user_id'?: (string);
  'session_id'?: (string);
  'roles'?: (string)[];
  'permissions'?: (string)[];
  /**
   * Unix seconds.
   */
  'expires_at'?: (number | string | Long);
  /**
   * One of: malformed, invalid_signature, unknown_key, expired, not_yet_valid,
   * audience_mismatch, issuer_mismatch, revoked, user_locked. Empty when active.
   */
  'reason'?: (string);
  /**
   * True when the token's amr holds a second factor (otp or rec).
   */
  'mfa'?: (boolean);
  'jti'?: (string);
}

export interface VerifyTokenResponse__Output {
  'active': (boolean);
  'user_id': (string);
  'session_id': (string);
  'roles': (string)[];
  'permissions': (string)[];
  /**
   * Unix seconds.
   */
  'expires_at': (number);
  /**
   * One of: malformed, invalid_signature, unknown_key, expired, not_yet_valid,
   * audience_mismatch, issuer_mismatch, revoked, user_locked. Empty when active.
   */
  'reason': (string);
  /**
   * True when the token's amr holds a second factor (otp or rec).
   */
  'mfa': (boolean);
  'jti': (string);
}
