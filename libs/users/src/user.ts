/** `active` may sign in; `locked` was locked by an admin and may not. */
export type UserStatus = 'active' | 'locked';

/** An argon2id PHC string and the version of the pepper it was made with. */
export interface StoredPassword {
  hash: string;
  pepperVersion: number;
}

/** An account. */
export interface User {
  id: string;
  /** As the user typed it, NFKC and trimmed, case kept: where mail goes. */
  email: string;
  /** NFKC, trimmed, lower-cased: the unique lookup key (see `normalizeEmail`). */
  emailNormalized: string;
  name: string | null;
  status: UserStatus;
  /** When the owner proved the mailbox; null until then. */
  emailVerifiedAt: Date | null;
  /** Null for an account that only signs in through a federated provider. */
  password: StoredPassword | null;
  lockedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An account as a sign-in by email sees it: with whether it has a confirmed second factor. */
export interface SignInCandidate extends User {
  mfaEnabled: boolean;
}

/** An account as its owner (and the admin API) sees it. */
export interface UserProfile {
  id: string;
  email: string;
  name: string | null;
  status: UserStatus;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: Date;
}

/** Why an account whose credentials were right may still not start a session. */
export type SignInBlocker = 'locked' | 'email_not_verified';

/**
 * The one rule for "may this account start a session now": not locked by an admin, and its
 * mailbox proven. A lock wins over a missing verification (it is the stronger reason).
 */
export function signInBlocker(
  user: Pick<User, 'status' | 'emailVerifiedAt'>,
): SignInBlocker | null {
  if (isLocked(user)) return 'locked';
  if (!user.emailVerifiedAt) return 'email_not_verified';
  return null;
}

/** Whether an admin locked the account. */
export function isLocked(user: Pick<User, 'status'>): boolean {
  return user.status === 'locked';
}
