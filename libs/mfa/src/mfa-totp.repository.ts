import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import { toEnrolment, type TotpEnrolment, type TotpRow } from './mfa.tables';

/**
 * Storage of TOTP enrolments (`mfa_totp`). Every state change that must not race is a single
 * conditional statement: a pending enrolment is replaced only while it is pending, enabled only
 * once, and a time step is recorded only if it is later than the last one, so two concurrent
 * requests can never both pass with one code.
 */
@Injectable()
export class MfaTotpRepository {
  constructor(private readonly db: Database) {}

  /** The user's enrolment, pending or enabled; null when there is none. */
  async findByUser(userId: string, tx?: Tx): Promise<TotpEnrolment | null> {
    const rows = await this.db.query<TotpRow>(
      `SELECT user_id, secret_enc, kek_id, enabled_at, last_used_step, created_at
         FROM mfa_totp WHERE user_id = $1`,
      [userId],
      tx,
    );
    return rows[0] ? toEnrolment(rows[0]) : null;
  }

  /** Whether the user has a confirmed TOTP enrolment (the login then needs a second factor). */
  async isEnabled(userId: string, tx?: Tx): Promise<boolean> {
    const rows = await this.db.query<unknown>(
      `SELECT 1 FROM mfa_totp WHERE user_id = $1 AND enabled_at IS NOT NULL`,
      [userId],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * Stores a new pending enrolment made `at`, replacing a pending one, in one statement.
   * @returns false when TOTP is already enabled (the row is then left alone).
   */
  async savePending(
    input: { userId: string; secretEnc: string; kekId: string; at: Date },
    tx?: Tx,
  ): Promise<boolean> {
    const rows = await this.db.query<unknown>(
      `INSERT INTO mfa_totp (user_id, secret_enc, kek_id, created_at)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id) DO UPDATE
          SET secret_enc = EXCLUDED.secret_enc, kek_id = EXCLUDED.kek_id,
              last_used_step = NULL, created_at = EXCLUDED.created_at
        WHERE mfa_totp.enabled_at IS NULL
       RETURNING user_id`,
      [input.userId, input.secretEnc, input.kekId, input.at],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * Enables the pending enrolment whose sealed secret is `secretEnc` (the one whose code was
   * just checked: a setup that replaced it meanwhile makes this fail), and records the step of
   * that first code as used.
   * @returns false when there is no such pending enrolment.
   */
  async enable(
    input: { userId: string; secretEnc: string; step: number },
    tx?: Tx,
  ): Promise<boolean> {
    const rows = await this.db.query<unknown>(
      `UPDATE mfa_totp SET enabled_at = now(), last_used_step = $3
        WHERE user_id = $1 AND secret_enc = $2 AND enabled_at IS NULL
       RETURNING user_id`,
      [input.userId, input.secretEnc, input.step],
      tx,
    );
    return rows.length > 0;
  }

  /**
   * Records `step` as used if it is later than the last used step of an enabled enrolment.
   * The row lock of the UPDATE makes a concurrent use of the same step wait and then fail
   * the condition, so a code is accepted at most once.
   * @returns whether this call got the step.
   */
  async consumeStep(input: { userId: string; step: number }, tx?: Tx): Promise<boolean> {
    const rows = await this.db.query<unknown>(
      `UPDATE mfa_totp SET last_used_step = $2
        WHERE user_id = $1 AND enabled_at IS NOT NULL
          AND (last_used_step IS NULL OR last_used_step < $2)
       RETURNING user_id`,
      [input.userId, input.step],
      tx,
    );
    return rows.length > 0;
  }

  /** Removes the enrolment, pending or enabled. @returns whether TOTP was enabled. */
  async remove(userId: string, tx?: Tx): Promise<boolean> {
    const rows = await this.db.query<{ enabled: boolean }>(
      `DELETE FROM mfa_totp WHERE user_id = $1 RETURNING enabled_at IS NOT NULL AS enabled`,
      [userId],
      tx,
    );
    return rows[0]?.enabled ?? false;
  }
}
