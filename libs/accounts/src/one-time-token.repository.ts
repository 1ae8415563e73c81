import { Injectable } from '@nestjs/common';
import { hashToken, randomToken } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { Clock } from '@identity/kernel';

/**
 * The two tables of emailed one-time tokens (migrations/1764000000000-initial-schema.ts), one
 * shape: `id`, `user_id`, `token_hash` (SHA-256 hex of the token, unique), `created_at`,
 * `expires_at`, `used_at` (null until used). A fixed list, never user input in SQL.
 */
type OneTimeTokenTable = 'email_verifications' | 'password_resets';

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
    private readonly clock: Clock,
    private readonly table: OneTimeTokenTable,
  ) {}

  /** Stores a new token for `userId`; returns the plain token (for the mail only). */
  async issue(input: IssueTokenInput, tx?: Tx): Promise<string> {
    const token = randomToken(32);
    await this.db.execute(
      `INSERT INTO ${this.table} (user_id, token_hash, created_at, expires_at)
       VALUES ($1, $2, $3, $4)`,
      [input.userId, hashToken(token), this.clock.now(), this.clock.after(input.ttlSeconds)],
      tx,
    );
    return token;
  }

  /**
   * Uses the token up and returns its user, or null when it is unknown, used or expired.
   * One statement: the row lock makes a second concurrent consume wait and then see
   * `used_at` set, so a token works exactly once however many requests race for it.
   */
  async consume(token: string, tx?: Tx): Promise<string | null> {
    const row = await this.db.one<{ user_id: string }>(
      `UPDATE ${this.table} SET used_at = $2
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING user_id`,
      [hashToken(token), this.clock.now()],
      tx,
    );
    return row?.user_id ?? null;
  }

  /**
   * The user of a live token, without using it up: lets a caller check what it needs (the
   * password policy) before the token is burnt by {@link consume}.
   */
  async findLiveUserId(token: string, tx?: Tx): Promise<string | null> {
    const row = await this.db.one<{ user_id: string }>(
      `SELECT user_id FROM ${this.table}
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2`,
      [hashToken(token), this.clock.now()],
      tx,
    );
    return row?.user_id ?? null;
  }

  /** Uses up every live token of the user at once (one statement). */
  async invalidateAll(userId: string, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE ${this.table} SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
      [userId, this.clock.now()],
      tx,
    );
  }
}

/** Email-verification tokens (`email_verifications`). */
@Injectable()
export class EmailVerificationRepository extends OneTimeTokenRepository {
  constructor(db: Database, clock: Clock) {
    super(db, clock, 'email_verifications');
  }
}

/** Password-reset tokens (`password_resets`). */
@Injectable()
export class PasswordResetRepository extends OneTimeTokenRepository {
  constructor(db: Database, clock: Clock) {
    super(db, clock, 'password_resets');
  }
}

export type { OneTimeTokenRepository };
