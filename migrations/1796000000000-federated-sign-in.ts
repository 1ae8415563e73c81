import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Federated sign-in (Google, GitHub, one generic OpenID Connect provider), API.md "Federated
 * sign-in".
 *
 * `federated_identities` came with the initial schema but nothing wrote it yet; it gets the
 * columns the contract names and the rules that keep linking safe:
 * - an identity is (provider, subject), never an email: `uq_federated_identities_provider_subject`
 *   (kept) makes one identity belong to one account at most;
 * - `uq_federated_identities_user_provider`: an account holds at most one identity per
 *   provider, so `DELETE /auth/identities/:provider` names exactly one row. Its index leads
 *   with `user_id`, so it also serves "the identities of this account" and the foreign key's
 *   cascade, and `ix_federated_identities_user` goes;
 * - `email`: the address the provider vouched for when the identity was linked (shown to the
 *   owner in `GET /auth/identities`; never a key);
 * - `created_at` and `last_login_at` become `linked_at` and `last_used_at`, the contract's words.
 *
 * `federation_codes` holds the one-time secrets of a federated sign-in, hashed (SHA-256 of a
 * 256-bit random value, like refresh tokens): the code the callback hands the browser (60 s)
 * and the link token of `account_link_required` (10 minutes). They live in Postgres, not in
 * Redis, because:
 * - single use must be atomic on every instance: a use is one `DELETE ... RETURNING`, and two
 *   racing requests cannot both get the row;
 * - expiry is a rule, decided against the app's Clock (passed as a parameter), so tests move
 *   time instead of waiting for a Redis TTL;
 * - each is bound to the account it completes (`user_id`, ON DELETE CASCADE): a deleted account
 *   takes its codes with it, which a kv entry could not;
 * - Redis holds only what may be lost, and these are few, small and short-lived.
 * `kind` says what a code completes: `sign_in` (sign `user_id` in through the identity),
 * `link_offer` (answer `account_link_required` for linking the identity to `user_id`), `link`
 * (the link token itself). Expired rows are deleted as new ones are written
 * (`ix_federation_codes_expires_at`).
 */
export class FederatedSignIn1796000000000 implements MigrationInterface {
  name = 'FederatedSignIn1796000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE federated_identities RENAME COLUMN created_at TO linked_at`);
    await q.query(`ALTER TABLE federated_identities RENAME COLUMN last_login_at TO last_used_at`);
    await q.query(`ALTER TABLE federated_identities ADD COLUMN email text`);
    await q.query(`
      ALTER TABLE federated_identities
        ADD CONSTRAINT uq_federated_identities_user_provider UNIQUE (user_id, provider),
        ADD CONSTRAINT ck_federated_identities_provider
          CHECK (provider ~ '^[a-z][a-z0-9-]{0,31}$'),
        ADD CONSTRAINT ck_federated_identities_subject
          CHECK (char_length(subject) BETWEEN 1 AND 255),
        ADD CONSTRAINT ck_federated_identities_email CHECK (char_length(email) <= 254)`);
    await q.query(`DROP INDEX ix_federated_identities_user`);

    await q.query(`
      CREATE TABLE federation_codes (
        code_hash text NOT NULL,
        kind text NOT NULL,
        user_id uuid NOT NULL,
        provider text NOT NULL,
        subject text NOT NULL,
        email text,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_federation_codes PRIMARY KEY (code_hash),
        CONSTRAINT fk_federation_codes_user FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_federation_codes_kind CHECK (kind IN ('sign_in', 'link_offer', 'link')),
        CONSTRAINT ck_federation_codes_lifetime CHECK (expires_at > created_at)
      )`);
    await q.query(`CREATE INDEX ix_federation_codes_user ON federation_codes (user_id)`);
    await q.query(`CREATE INDEX ix_federation_codes_expires_at ON federation_codes (expires_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS federation_codes`);
    await q.query(`CREATE INDEX ix_federated_identities_user ON federated_identities (user_id)`);
    await q.query(`
      ALTER TABLE federated_identities
        DROP CONSTRAINT ck_federated_identities_email,
        DROP CONSTRAINT ck_federated_identities_subject,
        DROP CONSTRAINT ck_federated_identities_provider,
        DROP CONSTRAINT uq_federated_identities_user_provider`);
    await q.query(`ALTER TABLE federated_identities DROP COLUMN email`);
    await q.query(`ALTER TABLE federated_identities RENAME COLUMN last_used_at TO last_login_at`);
    await q.query(`ALTER TABLE federated_identities RENAME COLUMN linked_at TO created_at`);
  }
}
