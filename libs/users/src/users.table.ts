import type { SignInCandidate, User, UserProfile, UserStatus } from './user';

/**
 * The `users` table (migrations/1764000000000-initial-schema.ts), for its repository only:
 * one row per account, unique by `email_normalized` (`uq_users_email_normalized`);
 * `password_hash` and `password_pepper_version` are set together or not at all
 * (`ck_users_password_pepper`); `locked_at` follows `status`. `created_at`/`updated_at` are the
 * database's own bookkeeping: no rule reads them. A deleted account stays as a tombstone with
 * status `deleted` and its personal data erased (migrations/1796200000000-self-service.ts,
 * `ck_users_deleted_erased`); the repository never returns one, so {@link UserRow}'s status is
 * only ever `active` or `locked`.
 */
export const USERS_TABLE = 'users';

/** The unique constraint that makes one account per normalised email. */
export const USER_EMAIL_CONSTRAINT = 'uq_users_email_normalized';

/** Every column, in the order of {@link UserRow}; `u` is the table's alias. */
export const USER_COLUMNS = `u.id, u.email, u.email_normalized, u.name, u.status, u.email_verified_at,
  u.password_hash, u.password_pepper_version, u.locked_at, u.created_at, u.updated_at`;

/** A row as `pg` returns it. */
export interface UserRow {
  id: string;
  email: string;
  email_normalized: string;
  name: string | null;
  status: UserStatus;
  email_verified_at: Date | null;
  password_hash: string | null;
  password_pepper_version: number | null;
  locked_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailNormalized: row.email_normalized,
    name: row.name,
    status: row.status,
    emailVerifiedAt: row.email_verified_at,
    password:
      row.password_hash !== null && row.password_pepper_version !== null
        ? { hash: row.password_hash, pepperVersion: row.password_pepper_version }
        : null,
    lockedAt: row.locked_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** {@link UserRow} with whether a confirmed TOTP enrolment exists (`mfa_totp.enabled_at`). */
export interface SignInCandidateRow extends UserRow {
  mfa_enabled: boolean;
}

export function toSignInCandidate(row: SignInCandidateRow): SignInCandidate {
  return { ...toUser(row), mfaEnabled: row.mfa_enabled };
}

export interface UserProfileRow {
  id: string;
  email: string;
  name: string | null;
  status: UserStatus;
  email_verified: boolean;
  mfa_enabled: boolean;
  created_at: Date;
}

export function toUserProfile(row: UserProfileRow): UserProfile {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    emailVerified: row.email_verified,
    mfaEnabled: row.mfa_enabled,
    createdAt: row.created_at,
  };
}
