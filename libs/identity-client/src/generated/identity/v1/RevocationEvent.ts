// Original file: proto/identity/v1/identity.proto

import type { SessionsRevoked as _identity_v1_SessionsRevoked, SessionsRevoked__Output as _identity_v1_SessionsRevoked__Output } from '../../identity/v1/SessionsRevoked';
import type { UserLocked as _identity_v1_UserLocked, UserLocked__Output as _identity_v1_UserLocked__Output } from '../../identity/v1/UserLocked';
import type { UserUnlocked as _identity_v1_UserUnlocked, UserUnlocked__Output as _identity_v1_UserUnlocked__Output } from '../../identity/v1/UserUnlocked';
import type { UserAccessChanged as _identity_v1_UserAccessChanged, UserAccessChanged__Output as _identity_v1_UserAccessChanged__Output } from '../../identity/v1/UserAccessChanged';
import type { RoleChanged as _identity_v1_RoleChanged, RoleChanged__Output as _identity_v1_RoleChanged__Output } from '../../identity/v1/RoleChanged';
import type { CaughtUp as _identity_v1_CaughtUp, CaughtUp__Output as _identity_v1_CaughtUp__Output } from '../../identity/v1/CaughtUp';
import type { Heartbeat as _identity_v1_Heartbeat, Heartbeat__Output as _identity_v1_Heartbeat__Output } from '../../identity/v1/Heartbeat';
import type { Long } from '@grpc/proto-loader';

/**
 * One message of WatchRevocations: exactly one of the `event` fields is set.
 */
export interface RevocationEvent {
  /**
   * The position of this message in the platform's durable event log (the id of the change's
   * audit_log row, decimal). Pass the cursor of the last message applied as `after` to resume.
   * `caught_up` and `heartbeat` carry the position up to which the stream has delivered
   * everything, which is also a valid `after`.
   */
  'cursor'?: (string);
  /**
   * When the change happened (heartbeat, caught_up: the server's time), Unix milliseconds.
   */
  'at_ms'?: (number | string | Long);
  'sessions_revoked'?: (_identity_v1_SessionsRevoked | null);
  'user_locked'?: (_identity_v1_UserLocked | null);
  'user_unlocked'?: (_identity_v1_UserUnlocked | null);
  'user_access_changed'?: (_identity_v1_UserAccessChanged | null);
  'role_changed'?: (_identity_v1_RoleChanged | null);
  'caught_up'?: (_identity_v1_CaughtUp | null);
  'heartbeat'?: (_identity_v1_Heartbeat | null);
  'event'?: "sessions_revoked"|"user_locked"|"user_unlocked"|"user_access_changed"|"role_changed"|"caught_up"|"heartbeat";
}

/**
 * One message of WatchRevocations: exactly one of the `event` fields is set.
 */
export interface RevocationEvent__Output {
  /**
   * The position of this message in the platform's durable event log (the id of the change's
   * audit_log row, decimal). Pass the cursor of the last message applied as `after` to resume.
   * `caught_up` and `heartbeat` carry the position up to which the stream has delivered
   * everything, which is also a valid `after`.
   */
  'cursor': (string);
  /**
   * When the change happened (heartbeat, caught_up: the server's time), Unix milliseconds.
   */
  'at_ms': (number);
  'sessions_revoked'?: (_identity_v1_SessionsRevoked__Output | null);
  'user_locked'?: (_identity_v1_UserLocked__Output | null);
  'user_unlocked'?: (_identity_v1_UserUnlocked__Output | null);
  'user_access_changed'?: (_identity_v1_UserAccessChanged__Output | null);
  'role_changed'?: (_identity_v1_RoleChanged__Output | null);
  'caught_up'?: (_identity_v1_CaughtUp__Output | null);
  'heartbeat'?: (_identity_v1_Heartbeat__Output | null);
  'event'?: "sessions_revoked"|"user_locked"|"user_unlocked"|"user_access_changed"|"role_changed"|"caught_up"|"heartbeat";
}
