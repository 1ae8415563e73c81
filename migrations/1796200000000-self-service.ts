import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Self-service changes to an account (issue 19, API.md `POST /auth/change-email`,
 * `POST /auth/confirm-email-change`, `DELETE /auth/me`).
 *
 * `email_changes`: a requested move to another address, pending until the link mailed to
 * that address is confirmed. Like the other emailed tokens (`email_verifications`,
 * `password_resets`) only the SHA-256 of the token is stored (`uq_email_changes_token_hash`),
 * it is single use (`used_at`, set by one conditional UPDATE) and expires (`expires_at`,
 * `RESET_TOKEN_TTL` after the request, decided against the app's Clock). Unlike them it holds
 * the new address, in both forms the `users` row will take (`new_email` as typed, NFKC and
 * trimmed; `new_email_normalized` the lookup key), because nothing may change on the account
 * before the link is confirmed. It is not unique on the new address: whether the address is
 * taken is answered only at confirmation (409 `email_taken`), never at the request, so the
 * request tells nobody which addresses have accounts. Rows go with their account
 * (`fk_email_changes_user`, ON DELETE CASCADE); a deletion also uses up the live ones.
 *
 * `users.status` gains `deleted`: `DELETE /auth/me` erases the account's personal data but
 * keeps its row as a tombstone, so the id that audit rows, sessions and webhook deliveries
 * name stays an id that existed and is never an account again. `ck_users_deleted_erased`
 * holds the erasure to what it means: no name, no password, no verified address (the address
 * itself is replaced by a non-routable `deleted-<id>@deleted.invalid`, RFC 2606, kept unique
 * by `uq_users_email_normalized`).
 */
export class SelfService1796200000000 implements MigrationInterface {
  name = 'SelfService1796200000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_changes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        token_hash text NOT NULL,
        new_email text NOT NULL,
        new_email_normalized text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        CONSTRAINT pk_email_changes PRIMARY KEY (id),
        CONSTRAINT uq_email_changes_token_hash UNIQUE (token_hash),
        CONSTRAINT fk_email_changes_user FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_email_changes_new_email CHECK (char_length(new_email) <= 254),
        CONSTRAINT ck_email_changes_lifetime CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE INDEX ix_email_changes_user ON email_changes (user_id)`);
    await q.query(`CREATE INDEX ix_email_changes_expires_at ON email_changes (expires_at)`);

    await q.query(`
      ALTER TABLE users
        DROP CONSTRAINT ck_users_status,
        ADD CONSTRAINT ck_users_status CHECK (status IN ('active', 'locked', 'deleted')),
        ADD CONSTRAINT ck_users_deleted_erased CHECK (
          status <> 'deleted'
          OR (name IS NULL AND password_hash IS NULL AND email_verified_at IS NULL)
        )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    // A deleted account cannot come back; the old schema's nearest state is locked.
    await q.query(`
      UPDATE users SET status = 'locked', locked_at = COALESCE(locked_at, now())
       WHERE status = 'deleted'`);
    await q.query(`
      ALTER TABLE users
        DROP CONSTRAINT ck_users_deleted_erased,
        DROP CONSTRAINT ck_users_status,
        ADD CONSTRAINT ck_users_status CHECK (status IN ('active', 'locked'))`);
    await q.query(`DROP TABLE IF EXISTS email_changes`);
  }
}
