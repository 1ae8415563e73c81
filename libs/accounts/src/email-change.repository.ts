import { Injectable } from '@nestjs/common';
import { hashToken, randomToken } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { Clock } from '@identity/kernel';
import {
  type PendingEmailChange,
  type PendingEmailChangeRow,
  toPendingEmailChange,
} from './email-changes.table';

/** What {@link EmailChangeRepository.issue} stores. */
export interface NewEmailChange extends PendingEmailChange {
  /** Lifetime in seconds. */
  ttlSeconds: number;
}

/**
 * Pending email changes (`email_changes`). The plain token (256 random bits, base64url) only
 * ever leaves in the mail to the new address; the table holds its SHA-256.
 */
@Injectable()
export class EmailChangeRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Stores a pending change; returns the plain token (for the mail only). */
  async issue(change: NewEmailChange, tx?: Tx): Promise<string> {
    const token = randomToken(32);
    await this.db.execute(
      `INSERT INTO email_changes (user_id, token_hash, new_email, new_email_normalized,
                                  created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        change.userId,
        hashToken(token),
        change.newEmail,
        change.newEmailNormalized,
        this.clock.now(),
        this.clock.after(change.ttlSeconds),
      ],
      tx,
    );
    return token;
  }

  /**
   * Uses the token up and returns its change, or null when it is unknown, used or expired. One
   * statement: the row lock makes a concurrent second consume wait and then see `used_at` set,
   * so a link works exactly once however many requests race for it (in the caller's
   * transaction: if that rolls back, the link is live again).
   */
  async consume(token: string, tx?: Tx): Promise<PendingEmailChange | null> {
    const row = await this.db.one<PendingEmailChangeRow>(
      `UPDATE email_changes SET used_at = $2
        WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING user_id, new_email, new_email_normalized`,
      [hashToken(token), this.clock.now()],
      tx,
    );
    return row && toPendingEmailChange(row);
  }

  /** Uses up every live change of the user at once (one statement). */
  async invalidateAll(userId: string, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE email_changes SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`,
      [userId, this.clock.now()],
      tx,
    );
  }
}
