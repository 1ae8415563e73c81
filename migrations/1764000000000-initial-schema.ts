import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The whole data model of the identity platform, as reviewed SQL.
 *
 * Why it looks like this:
 * - Secrets never sit here in the clear: refresh, verification and reset tokens and recovery
 *   codes are stored as hashes; signing keys' private parts, TOTP secrets and webhook secrets
 *   are encrypted with the key-encryption key (`*_enc`, with the `kek_id` that encrypted them).
 * - Emails are unique on their normalised form (NFKC, trimmed, lower-cased by the app), so
 *   `Alice@Example.com` and `alice@example.com` are one account.
 * - One `sessions` row is one refresh-token family; `refresh_tokens` are its links, so
 *   revoking a family is one `UPDATE ... WHERE session_id = $1`.
 * - `audit_log` is append-only: a trigger refuses UPDATE, DELETE and TRUNCATE, and every row
 *   carries the hash of its predecessor and of itself, so a rewritten history shows.
 * - `outbox` makes mails and webhooks durable: rows commit with the change that caused them.
 * - Every lookup path has an index; constraint names are readable in error messages.
 */
export class InitialSchema1764000000000 implements MigrationInterface {
  name = 'InitialSchema1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email text NOT NULL,
        email_normalized text NOT NULL,
        name text,
        status text NOT NULL DEFAULT 'active',
        email_verified_at timestamptz,
        password_hash text,
        password_pepper_version integer,
        locked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_users PRIMARY KEY (id),
        CONSTRAINT uq_users_email_normalized UNIQUE (email_normalized),
        CONSTRAINT ck_users_status CHECK (status IN ('active', 'locked')),
        CONSTRAINT ck_users_email_length CHECK (char_length(email) <= 254),
        CONSTRAINT ck_users_password_pepper CHECK (
          (password_hash IS NULL) = (password_pepper_version IS NULL)
        )
      )`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'active',
        amr text[] NOT NULL DEFAULT '{}',
        device_name text,
        user_agent text,
        ip_hash text,
        revoked_at timestamptz,
        revoked_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_sessions PRIMARY KEY (id),
        CONSTRAINT fk_sessions_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT ck_sessions_status CHECK (status IN ('active', 'revoked', 'compromised')),
        CONSTRAINT ck_sessions_revoked CHECK ((status = 'active') = (revoked_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX ix_sessions_user_active ON sessions (user_id, created_at DESC) WHERE status = 'active'`,
    );
    await q.query(`CREATE INDEX ix_sessions_expires_at ON sessions (expires_at)`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL,
        token_hash text NOT NULL,
        parent_id uuid,
        status text NOT NULL DEFAULT 'active',
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        CONSTRAINT pk_refresh_tokens PRIMARY KEY (id),
        CONSTRAINT uq_refresh_tokens_token_hash UNIQUE (token_hash),
        CONSTRAINT fk_refresh_tokens_session FOREIGN KEY (session_id)
          REFERENCES sessions (id) ON DELETE CASCADE,
        CONSTRAINT fk_refresh_tokens_parent FOREIGN KEY (parent_id)
          REFERENCES refresh_tokens (id) ON DELETE SET NULL,
        CONSTRAINT ck_refresh_tokens_status CHECK (status IN ('active', 'used', 'revoked'))
      )`);
    await q.query(`CREATE INDEX ix_refresh_tokens_session ON refresh_tokens (session_id)`);
    await q.query(`CREATE INDEX ix_refresh_tokens_parent ON refresh_tokens (parent_id)`);
    await q.query(`CREATE INDEX ix_refresh_tokens_expires_at ON refresh_tokens (expires_at)`);

    for (const table of ['email_verifications', 'password_resets']) {
      await q.query(`
        CREATE TABLE ${table} (
          id uuid NOT NULL DEFAULT gen_random_uuid(),
          user_id uuid NOT NULL,
          token_hash text NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          expires_at timestamptz NOT NULL,
          used_at timestamptz,
          CONSTRAINT pk_${table} PRIMARY KEY (id),
          CONSTRAINT uq_${table}_token_hash UNIQUE (token_hash),
          CONSTRAINT fk_${table}_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
        )`);
      await q.query(`CREATE INDEX ix_${table}_user ON ${table} (user_id)`);
      await q.query(`CREATE INDEX ix_${table}_expires_at ON ${table} (expires_at)`);
    }

    await q.query(`
      CREATE TABLE signing_keys (
        kid text NOT NULL,
        alg text NOT NULL,
        public_jwk jsonb NOT NULL,
        private_key_enc text NOT NULL,
        kek_id text NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        created_at timestamptz NOT NULL DEFAULT now(),
        activates_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        verify_until timestamptz,
        CONSTRAINT pk_signing_keys PRIMARY KEY (kid),
        CONSTRAINT ck_signing_keys_alg CHECK (alg IN ('ES256', 'RS256', 'EdDSA')),
        CONSTRAINT ck_signing_keys_status CHECK (status IN ('pending', 'active', 'retired'))
      )`);
    await q.query(`CREATE INDEX ix_signing_keys_status ON signing_keys (status)`);

    await q.query(`
      CREATE TABLE roles (
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        built_in boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_roles PRIMARY KEY (name),
        CONSTRAINT ck_roles_name CHECK (name ~ '^[a-z][a-z0-9_.-]{0,63}$')
      )`);
    await q.query(`
      CREATE TABLE permissions (
        name text NOT NULL,
        description text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_permissions PRIMARY KEY (name),
        CONSTRAINT ck_permissions_name CHECK (name ~ '^[a-z][a-z0-9_.-]{0,63}:[a-z*][a-z0-9_.*-]{0,63}$')
      )`);
    await q.query(`
      CREATE TABLE role_permissions (
        role_name text NOT NULL,
        permission_name text NOT NULL,
        CONSTRAINT pk_role_permissions PRIMARY KEY (role_name, permission_name),
        CONSTRAINT fk_role_permissions_role FOREIGN KEY (role_name)
          REFERENCES roles (name) ON DELETE CASCADE ON UPDATE CASCADE,
        CONSTRAINT fk_role_permissions_permission FOREIGN KEY (permission_name)
          REFERENCES permissions (name) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX ix_role_permissions_permission ON role_permissions (permission_name)`,
    );
    await q.query(`
      CREATE TABLE user_roles (
        user_id uuid NOT NULL,
        role_name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_user_roles PRIMARY KEY (user_id, role_name),
        CONSTRAINT fk_user_roles_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT fk_user_roles_role FOREIGN KEY (role_name)
          REFERENCES roles (name) ON DELETE RESTRICT ON UPDATE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_user_roles_role ON user_roles (role_name)`);
    await q.query(`
      INSERT INTO roles (name, description, built_in) VALUES
        ('user', 'Every registered account', true),
        ('admin', 'Administers the identity platform', true)`);
    await q.query(
      `INSERT INTO permissions (name, description) VALUES ('identity:admin', 'Use the admin API')`,
    );
    await q.query(
      `INSERT INTO role_permissions (role_name, permission_name) VALUES ('admin', 'identity:admin')`,
    );

    await q.query(`
      CREATE TABLE mfa_totp (
        user_id uuid NOT NULL,
        secret_enc text NOT NULL,
        kek_id text NOT NULL,
        enabled_at timestamptz,
        last_used_step bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_mfa_totp PRIMARY KEY (user_id),
        CONSTRAINT fk_mfa_totp_user FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE mfa_recovery_codes (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        code_hash text NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_mfa_recovery_codes PRIMARY KEY (id),
        CONSTRAINT uq_mfa_recovery_codes_user_code UNIQUE (user_id, code_hash),
        CONSTRAINT fk_mfa_recovery_codes_user FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE
      )`);

    await q.query(`
      CREATE TABLE federated_identities (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        provider text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        CONSTRAINT pk_federated_identities PRIMARY KEY (id),
        CONSTRAINT uq_federated_identities_provider_subject UNIQUE (provider, subject),
        CONSTRAINT fk_federated_identities_user FOREIGN KEY (user_id)
          REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX ix_federated_identities_user ON federated_identities (user_id)`);

    // No foreign key to users on purpose: the audit trail outlives the rows it talks about.
    await q.query(`
      CREATE TABLE audit_log (
        id bigint GENERATED ALWAYS AS IDENTITY,
        type text NOT NULL,
        user_id uuid,
        session_id uuid,
        ip_hash text,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT pk_audit_log PRIMARY KEY (id),
        CONSTRAINT uq_audit_log_hash UNIQUE (hash)
      )`);
    await q.query(`CREATE INDEX ix_audit_log_user ON audit_log (user_id, id DESC)`);
    await q.query(`CREATE INDEX ix_audit_log_type ON audit_log (type, id DESC)`);
    await q.query(`
      CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END
      $$`);
    await q.query(`
      CREATE TRIGGER tr_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`);
    await q.query(`
      CREATE TRIGGER tr_audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`);

    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        url text NOT NULL,
        events text[] NOT NULL,
        secret_enc text NOT NULL,
        kek_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_webhook_endpoints PRIMARY KEY (id),
        CONSTRAINT ck_webhook_endpoints_events CHECK (cardinality(events) > 0)
      )`);

    await q.query(`
      CREATE TABLE outbox (
        id bigint GENERATED ALWAYS AS IDENTITY,
        kind text NOT NULL,
        payload jsonb NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz,
        dead_at timestamptz,
        CONSTRAINT pk_outbox PRIMARY KEY (id),
        CONSTRAINT ck_outbox_kind CHECK (kind IN ('email', 'webhook'))
      )`);
    // The drain query reads only pending rows, oldest due first.
    await q.query(`
      CREATE INDEX ix_outbox_pending ON outbox (next_attempt_at)
        WHERE delivered_at IS NULL AND dead_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS outbox`);
    await q.query(`DROP TABLE IF EXISTS webhook_endpoints`);
    await q.query(`DROP TABLE IF EXISTS audit_log`);
    await q.query(`DROP FUNCTION IF EXISTS audit_log_append_only()`);
    await q.query(`DROP TABLE IF EXISTS federated_identities`);
    await q.query(`DROP TABLE IF EXISTS mfa_recovery_codes`);
    await q.query(`DROP TABLE IF EXISTS mfa_totp`);
    await q.query(`DROP TABLE IF EXISTS user_roles`);
    await q.query(`DROP TABLE IF EXISTS role_permissions`);
    await q.query(`DROP TABLE IF EXISTS permissions`);
    await q.query(`DROP TABLE IF EXISTS roles`);
    await q.query(`DROP TABLE IF EXISTS signing_keys`);
    await q.query(`DROP TABLE IF EXISTS password_resets`);
    await q.query(`DROP TABLE IF EXISTS email_verifications`);
    await q.query(`DROP TABLE IF EXISTS refresh_tokens`);
    await q.query(`DROP TABLE IF EXISTS sessions`);
    await q.query(`DROP TABLE IF EXISTS users`);
  }
}
