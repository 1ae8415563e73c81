import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import type { SignInCandidate, StoredPassword, User, UserProfile, UserStatus } from './user';
import {
  type SignInCandidateRow,
  toSignInCandidate,
  toUser,
  toUserProfile,
  USER_COLUMNS,
  type UserProfileRow,
  type UserRow,
} from './users.table';

/** What a new account is created with. */
export interface NewUser {
  /** NFKC, trimmed, case kept (`canonicalEmail`). */
  email: string;
  /** NFKC, trimmed, lower-cased (`normalizeEmail`). */
  emailNormalized: string;
  name?: string | null;
  /** Null for a federated-only account. */
  password: StoredPassword | null;
  /** Set for an account whose mailbox a provider vouched for at creation. */
  emailVerifiedAt?: Date | null;
}

/**
 * A row that is an account: every read and every change skips deleted accounts' tombstones
 * (see {@link UserRepository.erasePersonalData}), so to the rest of the platform a deleted
 * account is no account.
 */
const PRESENT = `u.status <> 'deleted'`;

/** What {@link UserRepository.changeEmail} did. */
export type EmailChangeOutcome =
  /** The account has the new address now, verified. */
  | 'changed'
  /** Another account has the address (compared normalised): nothing changed. */
  | 'taken'
  /** The account is gone (deleted) or locked by an admin: nothing changed. */
  | 'unavailable';

/**
 * Storage of accounts: the only code that reads or writes `users`. Ids handed in are UUIDs
 * (transports check ids at their edge).
 */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** The account whose normalised email is `emailNormalized` (see `normalizeEmail`). */
  async findByEmail(emailNormalized: string, tx?: Tx): Promise<User | null> {
    return this.findOne(BY_EMAIL, emailNormalized, tx);
  }

  /** The account with this id, or null. */
  async findById(id: string, tx?: Tx): Promise<User | null> {
    return this.findOne(BY_ID, id, tx);
  }

  /**
   * What a sign-in by email needs of an account, in one statement (the login's hot path):
   * the row and whether the user has a confirmed second factor. Null for an unknown email.
   */
  async findSignInCandidate(emailNormalized: string): Promise<SignInCandidate | null> {
    return this.findCandidate(BY_EMAIL, emailNormalized);
  }

  /**
   * {@link findSignInCandidate} by id: what a sign-in that found the account another way (a
   * federated identity) needs of it. Null for an unknown id.
   */
  async findSignInCandidateById(id: string, tx?: Tx): Promise<SignInCandidate | null> {
    return this.findCandidate(BY_ID, id, tx);
  }

  /** The account as its owner sees it, `mfaEnabled` from a confirmed TOTP enrolment. */
  async findProfile(id: string, tx?: Tx): Promise<UserProfile | null> {
    const row = await this.db.one<UserProfileRow>(
      `SELECT u.id, u.email, u.name, u.status, u.created_at,
              u.email_verified_at IS NOT NULL AS email_verified,
              t.enabled_at IS NOT NULL AS mfa_enabled
         FROM users u
         LEFT JOIN mfa_totp t ON t.user_id = u.id
        WHERE u.id = $1 AND ${PRESENT}`,
      [id],
      tx,
    );
    return row && toUserProfile(row);
  }

  /** The account's status, or null when no account has this id (the access cache's read). */
  async findStatus(id: string, tx?: Tx): Promise<UserStatus | null> {
    const row = await this.db.one<{ status: UserStatus }>(
      `SELECT u.status FROM users u WHERE u.id = $1 AND ${PRESENT}`,
      [id],
      tx,
    );
    return row?.status ?? null;
  }

  /** How many active (unlocked) accounts hold `role` (`user_roles`), as committed now. */
  async countActiveWithRole(role: string, tx?: Tx): Promise<number> {
    const row = await this.db.one<{ n: number }>(
      `SELECT count(*)::int AS n
         FROM users u JOIN user_roles ur ON ur.user_id = u.id
        WHERE ur.role_name = $1 AND u.status = 'active'`,
      [role],
      tx,
    );
    return row?.n ?? 0;
  }

  /**
   * Inserts an account (status `active`) and returns it.
   * @throws the unique violation on `USER_EMAIL_CONSTRAINT` when the normalised email is
   *   taken (check with `isUniqueViolation`); it aborts the caller's transaction.
   */
  async create(user: NewUser, tx?: Tx): Promise<User> {
    const row = await this.insert(user, '', tx);
    if (!row) throw new Error('INSERT INTO users returned no row');
    return toUser(row);
  }

  /**
   * Inserts the account unless its normalised email is taken, in one statement either way
   * (registration does the same work for a taken address as for a new one).
   * @returns the new account, or null when the email already has one.
   */
  async createIfAbsent(user: NewUser, tx?: Tx): Promise<User | null> {
    const row = await this.insert(
      user,
      'ON CONFLICT ON CONSTRAINT uq_users_email_normalized DO NOTHING',
      tx,
    );
    return row && toUser(row);
  }

  /** One INSERT of an account (status `active`), with `onConflict` after its VALUES. */
  private insert(user: NewUser, onConflict: string, tx?: Tx): Promise<UserRow | null> {
    return this.db.one<UserRow>(
      `INSERT INTO users AS u (email, email_normalized, name, password_hash,
                               password_pepper_version, email_verified_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ${onConflict}
       RETURNING ${USER_COLUMNS}`,
      [
        user.email,
        user.emailNormalized,
        user.name ?? null,
        user.password?.hash ?? null,
        user.password?.pepperVersion ?? null,
        user.emailVerifiedAt ?? null,
      ],
      tx,
    );
  }

  /** Stores a new password (or none: a federated-only account) with its pepper version. */
  async setPassword(userId: string, password: StoredPassword | null, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE users u SET password_hash = $2, password_pepper_version = $3, updated_at = now()
        WHERE u.id = $1 AND ${PRESENT}`,
      [userId, password?.hash ?? null, password?.pepperVersion ?? null],
      tx,
    );
  }

  /**
   * Replaces the hash only if it is still `previousHash` (compare-and-set), so a rehash on
   * sign-in can never overwrite a password that was changed in the meantime.
   * @returns whether the hash was replaced.
   */
  async replacePasswordHash(
    input: { userId: string; previousHash: string } & StoredPassword,
    tx?: Tx,
  ): Promise<boolean> {
    const { affected } = await this.db.execute(
      `UPDATE users u SET password_hash = $3, password_pepper_version = $4, updated_at = now()
        WHERE u.id = $1 AND u.password_hash = $2 AND ${PRESENT}`,
      [input.userId, input.previousHash, input.hash, input.pepperVersion],
      tx,
    );
    return affected > 0;
  }

  /**
   * Removes the password of an account whose email is still unverified, and only then
   * (compare-and-set on `email_verified_at IS NULL`): the first step of a provider-verified
   * identity taking over an address someone registered without proving it. In the caller's
   * transaction, the row stays locked until it ends, so a verification link used meanwhile
   * waits and then finds the account verified by the takeover.
   * @returns false when the account is verified (or gone): nothing changed.
   */
  async voidPasswordOfUnverified(userId: string, tx?: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `UPDATE users u SET password_hash = NULL, password_pepper_version = NULL, updated_at = now()
        WHERE u.id = $1 AND u.email_verified_at IS NULL AND ${PRESENT}`,
      [userId],
      tx,
    );
    return affected > 0;
  }

  /**
   * Sets `email_verified_at` to `at` unless it is set already (idempotent).
   * @returns true only when this call verified the email (the first time).
   */
  async markVerified(userId: string, at: Date, tx?: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `UPDATE users u SET email_verified_at = $2, updated_at = now()
        WHERE u.id = $1 AND u.email_verified_at IS NULL AND ${PRESENT}`,
      [userId, at],
      tx,
    );
    return affected > 0;
  }

  /**
   * Sets the account's status in one statement (`locked_at` follows it: `at` when locked,
   * cleared when active).
   * @returns `changed`, `unchanged` (it already had that status) or `not_found`.
   */
  async setStatus(
    userId: string,
    change: { status: UserStatus; at: Date },
    tx?: Tx,
  ): Promise<'changed' | 'unchanged' | 'not_found'> {
    const [row] = await this.db.query<{ changed: boolean }>(
      `WITH target AS (SELECT u.id, u.status FROM users u WHERE u.id = $1 AND ${PRESENT} FOR UPDATE),
            changed AS (
              UPDATE users u SET status = $2,
                     locked_at = CASE WHEN $2 = 'locked' THEN $3::timestamptz END,
                     updated_at = now()
                FROM target t WHERE u.id = t.id AND t.status <> $2
              RETURNING u.id)
       SELECT EXISTS (SELECT 1 FROM changed) AS changed FROM target`,
      [userId, change.status, change.at],
      tx,
    );
    if (!row) return 'not_found';
    return row.changed ? 'changed' : 'unchanged';
  }

  /**
   * Sets the display name (null clears it).
   * @returns false when no account has this id.
   */
  async rename(userId: string, name: string | null, tx?: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `UPDATE users u SET name = $2, updated_at = now() WHERE u.id = $1 AND ${PRESENT}`,
      [userId, name],
      tx,
    );
    return affected > 0;
  }

  /**
   * Moves an active account to a new address whose mailbox its owner just proved: the address
   * (both forms) and `email_verified_at` = `verifiedAt`, in one statement that first makes
   * sure no other account has the address. Two moves to one address at the same moment can
   * both pass that check; the second then fails on `USER_EMAIL_CONSTRAINT` (a unique
   * violation that aborts the caller's transaction: check with `isUniqueViolation`).
   * @returns what happened (see {@link EmailChangeOutcome}).
   */
  async changeEmail(
    change: { userId: string; email: string; emailNormalized: string; verifiedAt: Date },
    tx?: Tx,
  ): Promise<EmailChangeOutcome> {
    const [row] = await this.db.query<{ outcome: EmailChangeOutcome }>(
      `WITH target AS (
              SELECT u.id FROM users u WHERE u.id = $1 AND u.status = 'active' FOR UPDATE),
            taken AS (
              SELECT 1 FROM users o WHERE o.email_normalized = $3 AND o.id <> $1),
            changed AS (
              UPDATE users u SET email = $2, email_normalized = $3, email_verified_at = $4,
                     updated_at = now()
                FROM target t
               WHERE u.id = t.id AND NOT EXISTS (SELECT 1 FROM taken)
              RETURNING u.id)
       SELECT CASE WHEN EXISTS (SELECT 1 FROM changed) THEN 'changed'
                   WHEN NOT EXISTS (SELECT 1 FROM target) THEN 'unavailable'
                   ELSE 'taken' END AS outcome`,
      [change.userId, change.email, change.emailNormalized, change.verifiedAt],
      tx,
    );
    return row?.outcome ?? 'unavailable';
  }

  /**
   * Erases an account's personal data and leaves its row as a tombstone (status `deleted`):
   * the address becomes the non-routable `deleted-<id>@deleted.invalid`, and the name, the
   * password and the verification time are cleared (`ck_users_deleted_erased`). The id stays,
   * so the audit trail (which keeps ids only) still names an account that existed, and no
   * read of this repository finds the account any more. What other contexts hold about it
   * (sessions, second factors, linked identities, tokens) is theirs to end.
   * @returns false when no account has this id (or it was deleted already).
   */
  async erasePersonalData(userId: string, tx?: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `UPDATE users u
          SET status = 'deleted',
              email = 'deleted-' || u.id || '@deleted.invalid',
              email_normalized = 'deleted-' || u.id || '@deleted.invalid',
              name = NULL, password_hash = NULL, password_pepper_version = NULL,
              email_verified_at = NULL, locked_at = NULL, updated_at = now()
        WHERE u.id = $1 AND ${PRESENT}`,
      [userId],
      tx,
    );
    return affected > 0;
  }

  private async findOne(where: string, key: string, tx?: Tx): Promise<User | null> {
    const row = await this.db.one<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users u WHERE ${where} AND ${PRESENT}`,
      [key],
      tx,
    );
    return row && toUser(row);
  }

  private async findCandidate(
    where: string,
    key: string,
    tx?: Tx,
  ): Promise<SignInCandidate | null> {
    const row = await this.db.one<SignInCandidateRow>(
      `SELECT ${USER_COLUMNS}, t.enabled_at IS NOT NULL AS mfa_enabled
         FROM users u
         LEFT JOIN mfa_totp t ON t.user_id = u.id
        WHERE ${where} AND ${PRESENT}`,
      [key],
      tx,
    );
    return row && toSignInCandidate(row);
  }
}

/** The lookups by key: fixed strings, never user input in SQL (the key is a parameter); tombstones are never found. */
const BY_EMAIL = 'u.email_normalized = $1';
const BY_ID = 'u.id = $1';
