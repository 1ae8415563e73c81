import { Injectable } from '@nestjs/common';
import { IsNull, type EntityManager, type Repository } from 'typeorm';
import { Database } from '@identity/database';
import { UserEntity, type UserStatus } from './user.entity';

/** An account as a password login sees it. */
export interface LoginCandidate extends UserEntity {
  /** A confirmed second factor: the login must take the MFA step. */
  mfaEnabled: boolean;
}

interface LoginCandidateRow {
  id: string;
  email: string;
  email_normalized: string;
  name: string | null;
  status: UserEntity['status'];
  email_verified_at: Date | null;
  password_hash: string | null;
  password_pepper_version: number | null;
  locked_at: Date | null;
  created_at: Date;
  updated_at: Date;
  mfa_enabled: boolean;
}

/** Postgres would answer a malformed uuid with error 22P02; such an id names nobody. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The unique constraint that makes one account per normalised email. */
export const USER_EMAIL_CONSTRAINT = 'uq_users_email_normalized';

/** What a new account is created with. */
export interface NewUser {
  /** NFKC, trimmed, case kept. */
  email: string;
  /** NFKC, trimmed, lower-cased. */
  emailNormalized: string;
  name?: string | null;
  /** Null for a federated-only account. */
  password: { hash: string; pepperVersion: number } | null;
}

/** An account as its owner (and later the admin API) sees it, with its MFA state. */
export interface UserProfileRow {
  id: string;
  email: string;
  name: string | null;
  status: UserStatus;
  emailVerified: boolean;
  mfaEnabled: boolean;
  createdAt: Date;
}

interface ProfileQueryRow {
  id: string;
  email: string;
  name: string | null;
  status: UserStatus;
  email_verified: boolean;
  mfa_enabled: boolean;
  created_at: Date;
}

/** Storage of accounts (`users`). */
@Injectable()
export class UserRepository {
  constructor(private readonly db: Database) {}

  /** The account whose normalised email is `emailNormalized` (see `normalizeEmail`). */
  findByNormalizedEmail(
    emailNormalized: string,
    manager?: EntityManager,
  ): Promise<UserEntity | null> {
    return this.repo(manager).findOneBy({ emailNormalized });
  }

  /**
   * What a password login needs of an account, in one statement: the row, and whether the
   * user has a confirmed second factor. Null for an unknown email.
   */
  async findLoginCandidate(emailNormalized: string): Promise<LoginCandidate | null> {
    const [row] = await this.db.manager.query<LoginCandidateRow[]>(
      `SELECT u.id, u.email, u.email_normalized, u.name, u.status, u.email_verified_at,
              u.password_hash, u.password_pepper_version, u.locked_at, u.created_at, u.updated_at,
              t.enabled_at IS NOT NULL AS mfa_enabled
         FROM users u
         LEFT JOIN mfa_totp t ON t.user_id = u.id
        WHERE u.email_normalized = $1`,
      [emailNormalized],
    );
    if (!row) return null;
    return {
      id: row.id,
      email: row.email,
      emailNormalized: row.email_normalized,
      name: row.name,
      status: row.status,
      emailVerifiedAt: row.email_verified_at,
      passwordHash: row.password_hash,
      passwordPepperVersion: row.password_pepper_version,
      lockedAt: row.locked_at,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      mfaEnabled: row.mfa_enabled,
    };
  }

  /** The account with this id; null for an unknown or malformed id (never a query error). */
  async findById(id: string, manager?: EntityManager): Promise<UserEntity | null> {
    if (!UUID.test(id)) return null;
    return this.repo(manager).findOneBy({ id });
  }

  /**
   * Inserts an account (status `active`, unverified) and returns it with its generated id.
   * @throws the unique violation on {@link USER_EMAIL_CONSTRAINT} when the normalised email
   *   is taken (check with `isUniqueViolation`); it aborts the caller's transaction.
   */
  create(user: NewUser, manager?: EntityManager): Promise<UserEntity> {
    const repo = this.repo(manager);
    return repo.save(
      repo.create({
        email: user.email,
        emailNormalized: user.emailNormalized,
        name: user.name ?? null,
        passwordHash: user.password?.hash ?? null,
        passwordPepperVersion: user.password?.pepperVersion ?? null,
      }),
    );
  }

  /** Stores a new password hash with the pepper version it was made with. */
  async setPassword(
    userId: string,
    password: { hash: string; pepperVersion: number },
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update(
      { id: userId },
      { passwordHash: password.hash, passwordPepperVersion: password.pepperVersion },
    );
  }

  /**
   * Replaces the hash only if it is still `previousHash` (compare-and-set), so a rehash on
   * login can never overwrite a password that was changed in the meantime.
   * @returns whether the hash was replaced.
   */
  async replacePasswordHash(
    input: { userId: string; previousHash: string; hash: string; pepperVersion: number },
    manager?: EntityManager,
  ): Promise<boolean> {
    const result = await this.repo(manager).update(
      { id: input.userId, passwordHash: input.previousHash },
      { passwordHash: input.hash, passwordPepperVersion: input.pepperVersion },
    );
    return (result.affected ?? 0) > 0;
  }

  /**
   * Sets `email_verified_at` unless it is set already (idempotent).
   * @returns true only when this call verified the email (the first time).
   */
  async markVerified(userId: string, manager?: EntityManager): Promise<boolean> {
    const result = await this.repo(manager).update(
      { id: userId, emailVerifiedAt: IsNull() },
      { emailVerifiedAt: () => 'now()' },
    );
    return (result.affected ?? 0) > 0;
  }

  /** The account's profile, `mfaEnabled` from a confirmed TOTP enrolment; null if unknown. */
  async findProfile(userId: string, manager?: EntityManager): Promise<UserProfileRow | null> {
    if (!UUID.test(userId)) return null;
    const rows = await (manager ?? this.db.manager).query<ProfileQueryRow[]>(
      `SELECT u.id, u.email, u.name, u.status, u.created_at,
              u.email_verified_at IS NOT NULL AS email_verified,
              t.enabled_at IS NOT NULL AS mfa_enabled
         FROM users u
         LEFT JOIN mfa_totp t ON t.user_id = u.id
        WHERE u.id = $1`,
      [userId],
    );
    const row = rows[0];
    if (!row) return null;
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

  /**
   * Sets the account's status in one statement (`locked_at` follows it: now when locked,
   * cleared when active). Admin lock and unlock.
   * @returns `changed`, `unchanged` (it already had that status) or `not_found` (unknown or
   *   malformed id).
   */
  async setStatus(
    userId: string,
    status: UserStatus,
    manager?: EntityManager,
  ): Promise<'changed' | 'unchanged' | 'not_found'> {
    if (!UUID.test(userId)) return 'not_found';
    const result = await this.repo(manager)
      .createQueryBuilder()
      .update(UserEntity)
      .set({ status, lockedAt: () => (status === 'locked' ? 'now()' : 'NULL') })
      .where('id = :userId AND status <> :status', { userId, status })
      .execute();
    if ((result.affected ?? 0) > 0) return 'changed';
    return (await this.findById(userId, manager)) ? 'unchanged' : 'not_found';
  }

  private repo(manager?: EntityManager): Repository<UserEntity> {
    return (manager ?? this.db.manager).getRepository(UserEntity);
  }
}
