import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The refresh hot path, measured with `npm run bench` (bench/README.md):
 * - `ix_refresh_tokens_expires_at` is read by no query (expired families are purged through
 *   `sessions.expires_at`, their tokens by ON DELETE CASCADE), yet every login and every
 *   refresh paid for one more index entry. Dropped.
 * - Every refresh rewrites its session row (`last_used_at`, `user_agent`, `ip_hash`, none of
 *   them indexed) and its token row (`status`, `used_at`). With free room on the page,
 *   Postgres updates such rows in place of the page (HOT) without touching any index; a
 *   fill factor below 100 keeps that room for rows inserted from now on.
 */
export class SessionHotPath1795400000000 implements MigrationInterface {
  name = 'SessionHotPath1795400000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_refresh_tokens_expires_at`);
    await q.query(`ALTER TABLE sessions SET (fillfactor = 80)`);
    await q.query(`ALTER TABLE refresh_tokens SET (fillfactor = 90)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE refresh_tokens RESET (fillfactor)`);
    await q.query(`ALTER TABLE sessions RESET (fillfactor)`);
    await q.query(`CREATE INDEX ix_refresh_tokens_expires_at ON refresh_tokens (expires_at)`);
  }
}
