// Original file: proto/identity/v1/identity.proto

import type { Long } from '@grpc/proto-loader';

/**
 * An administrator locked the account: refuse every token of this user until `user_unlocked`
 * or `until` (Unix seconds, as in SessionsRevoked), whichever comes first. Its sessions are
 * revoked too (a `sessions_revoked` with reason account_locked).
 */
export interface UserLocked {
  'user_id'?: (string);
  'until'?: (number | string | Long);
}

/**
 * An administrator locked the account: refuse every token of this user until `user_unlocked`
 * or `until` (Unix seconds, as in SessionsRevoked), whichever comes first. Its sessions are
 * revoked too (a `sessions_revoked` with reason account_locked).
 */
export interface UserLocked__Output {
  'user_id': (string);
  'until': (number);
}
