import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revocation does not depend on Redis alone (API.md, issue 20). The access-token denylist in
 * Redis is a copy of the revocations in `sessions`; when Redis comes back empty, or an
 * instance failed to write an entry, each instance rewrites the copy from Postgres: every
 * session revoked within the longest an access token lives (`ACCESS_TOKEN_TTL` + leeway,
 * about ten minutes), `status <> 'active' AND revoked_at > $1`.
 *
 * Without an index that is a scan of every session ever kept (revoked ones stay for
 * `REFRESH_TOKEN_TTL`), at boot and after each outage, on every instance at once.
 * `ix_sessions_revoked_at` is partial: only ended sessions are in it, so a login adds no entry,
 * and a refresh (which changes neither `status` nor `revoked_at`) stays a HOT update. The
 * purge's `status <> 'active' AND revoked_at < $2` reads it too.
 */
export class SessionRevocations1796100000000 implements MigrationInterface {
  name = 'SessionRevocations1796100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ix_sessions_revoked_at ON sessions (revoked_at) WHERE status <> 'active'`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_sessions_revoked_at`);
  }
}
