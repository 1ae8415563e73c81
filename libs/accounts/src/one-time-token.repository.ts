import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { hashToken, randomToken } from '@identity/crypto';
import { Database } from '@identity/database';
import { EmailVerificationEntity } from './email-verification.entity';
import { PasswordResetEntity } from './password-reset.entity';

/** The two tables with the one-time token shape; a fixed list, never user input in SQL. */
type OneTimeTokenTable = 'email_verifications' | 'password_resets';

type OneTimeTokenEntity = typeof EmailVerificationEntity | typeof PasswordResetEntity;

/** What `issue` needs. */
export interface IssueTokenInput {
  userId: string;
  /** Lifetime in seconds. */
  ttlSeconds: number;
}

/**
 * Single-use, expiring, emailed tokens. The plain token (256 random bits, base64url) only
 * ever leaves in the mail; the table holds its SHA-256, so reading the database (a replica, a
 * backup) yields no working link.
 */
abstract class OneTimeTokenRepository {
  protected constructor(
    private readonly db: Database,
    private readonly entity: OneTimeTokenEntity,
    private readonly table: OneTimeTokenTable,
  ) {}

  /** Stores a new token for `userId`; returns the plain token (for the mail only). */
  async issue(input: IssueTokenInput, manager?: EntityManager): Promise<string> {
    const token = randomToken(32);
    await (manager ?? this.db.manager).getRepository(this.entity).insert({
      userId: input.userId,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + input.ttlSeconds * 1000),
    });
    return token;
  }

  /**
   * Uses the token up and returns its user, or null when it is unknown, used or expired.
   * One statement: the row lock makes a second concurrent consume wait and then see
   * `used_at` set, so a token works exactly once however many requests race for it.
   */
  async consume(token: string, manager?: EntityManager): Promise<string | null> {
    const [rows] = await (manager ?? this.db.manager).query<[{ user_id: string }[], number]>(
      `UPDATE ${this.table} SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id`,
      [hashToken(token)],
    );
    return rows[0]?.user_id ?? null;
  }

  /**
   * The user of a live token, without using it up: lets a caller check what it needs (the
   * password policy) before the token is burnt by {@link consume}.
   */
  async findLiveUserId(token: string, manager?: EntityManager): Promise<string | null> {
    const rows = await (manager ?? this.db.manager).query<{ user_id: string }[]>(
      `SELECT user_id FROM ${this.table}
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now()`,
      [hashToken(token)],
    );
    return rows[0]?.user_id ?? null;
  }

  /** Uses up every live token of the user at once (one statement). */
  async invalidateAll(userId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.db.manager).query(
      `UPDATE ${this.table} SET used_at = now() WHERE user_id = $1 AND used_at IS NULL`,
      [userId],
    );
  }
}

/** Email-verification tokens (`email_verifications`). */
@Injectable()
export class EmailVerificationRepository extends OneTimeTokenRepository {
  constructor(db: Database) {
    super(db, EmailVerificationEntity, 'email_verifications');
  }
}

/** Password-reset tokens (`password_resets`). */
@Injectable()
export class PasswordResetRepository extends OneTimeTokenRepository {
  constructor(db: Database) {
    super(db, PasswordResetEntity, 'password_resets');
  }
}

export type { OneTimeTokenRepository };
