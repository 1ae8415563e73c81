import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';

/**
 * Storage of recovery codes (`mfa_recovery_codes`, see `mfa.tables.ts`), hashes only. A set
 * is replaced as a whole (one DELETE, one multi-row INSERT), and a code is used by one
 * conditional UPDATE.
 */
@Injectable()
export class RecoveryCodeRepository {
  constructor(private readonly db: Database) {}

  /**
   * Replaces every code of the user (used or not) with `codeHashes`: the old codes die in the
   * same transaction that creates the new ones.
   */
  async replaceAll(input: { userId: string; codeHashes: string[] }, tx: Tx): Promise<void> {
    await this.removeAll(input.userId, tx);
    await this.db.execute(
      `INSERT INTO mfa_recovery_codes (user_id, code_hash) SELECT $1, unnest($2::text[])`,
      [input.userId, input.codeHashes],
      tx,
    );
  }

  /**
   * Uses the code with this hash if it is the user's and unused. One statement: a concurrent
   * use of the same code waits on the row lock, then finds `used_at` set and gets nothing.
   * @returns the codes the user has left after this one, or null when the code did not work.
   */
  async use(input: { userId: string; codeHash: string }, tx?: Tx): Promise<number | null> {
    const used = await this.db.query(
      `UPDATE mfa_recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
       RETURNING id`,
      [input.userId, input.codeHash],
      tx,
    );
    if (used.length === 0) return null;
    const left = await this.db.one<{ left: number }>(
      `SELECT count(*)::int AS left FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
      [input.userId],
      tx,
    );
    return left?.left ?? 0;
  }

  /** Deletes every code of the user (MFA turned off, or a set replaced). */
  async removeAll(userId: string, tx?: Tx): Promise<void> {
    await this.db.execute(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [userId], tx);
  }
}
