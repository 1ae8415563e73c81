// Original file: proto/identity/v1/identity.proto

import type { Long } from '@grpc/proto-loader';

/**
 * Sessions ended: a logout, "sign out everywhere", a password change or reset, an admin lock,
 * a revoked device, or a refresh token presented twice. Every access token of these sessions
 * must be refused from now on, whatever its exp says.
 */
export interface SessionsRevoked {
  'user_id'?: (string);
  'session_ids'?: (string)[];
  /**
   * Unix seconds after which no token of these sessions can still be valid (the revocation
   * time + ACCESS_TOKEN_TTL): keep the revocation until then, plus the exp leeway you allow.
   */
  'until'?: (number | string | Long);
  /**
   * One of: logout, logout_all, session_revoked, password_changed, password_reset,
   * refresh_reused, account_locked.
   */
  'reason'?: (string);
}

/**
 * Sessions ended: a logout, "sign out everywhere", a password change or reset, an admin lock,
 * a revoked device, or a refresh token presented twice. Every access token of these sessions
 * must be refused from now on, whatever its exp says.
 */
export interface SessionsRevoked__Output {
  'user_id': (string);
  'session_ids': (string)[];
  /**
   * Unix seconds after which no token of these sessions can still be valid (the revocation
   * time + ACCESS_TOKEN_TTL): keep the revocation until then, plus the exp leeway you allow.
   */
  'until': (number);
  /**
   * One of: logout, logout_all, session_revoked, password_changed, password_reset,
   * refresh_reused, account_locked.
   */
  'reason': (string);
}
