import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '@identity/database';
import { MfaRecoveryCodeEntity } from './mfa-recovery-code.entity';

/**
 * Storage of recovery codes (`mfa_recovery_codes`), hashes only. A set is replaced as a whole
 * (one DELETE, one multi-row INSERT), and a code is used by one conditional UPDATE.
 */
@Injectable()
export class RecoveryCodeRepository {
  constructor(private readonly db: Database) {}

  /**
   * Replaces every code of the user (used or not) with `codeHashes`: the old codes die in the
   * same transaction that creates the new ones.
   */
  async replaceAll(
    input: { userId: string; codeHashes: string[] },
    manager?: EntityManager,
  ): Promise<void> {
    const m = manager ?? this.db.manager;
    await this.removeAll(input.userId, m);
    await m
      .getRepository(MfaRecoveryCodeEntity)
      .insert(input.codeHashes.map((codeHash) => ({ userId: input.userId, codeHash })));
  }

  /**
   * Uses the code with this hash if it is the user's and unused. One statement: a concurrent
   * use of the same code waits on the row lock, then finds `used_at` set and gets nothing.
   * @returns the codes the user has left after this one, or null when the code did not work.
   */
  async use(
    input: { userId: string; codeHash: string },
    manager?: EntityManager,
  ): Promise<number | null> {
    const m = manager ?? this.db.manager;
    const [used] = await m.query<[unknown[], number]>(
      `UPDATE mfa_recovery_codes SET used_at = now()
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL
       RETURNING id`,
      [input.userId, input.codeHash],
    );
    if (used.length === 0) return null;
    const [{ left }] = await m.query<[{ left: number }]>(
      `SELECT count(*)::int AS left FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL`,
      [input.userId],
    );
    return left;
  }

  /** Deletes every code of the user (MFA turned off, or a set replaced). */
  async removeAll(userId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.db.manager).query(`DELETE FROM mfa_recovery_codes WHERE user_id = $1`, [
      userId,
    ]);
  }
}
