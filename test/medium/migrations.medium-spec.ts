/**
 * The schema comes only from reviewed migrations: they must apply on an empty database,
 * revert cleanly, and apply again (a down() that forgets an object breaks the second up).
 */
import { createDataSource, runMigrations } from '@identity/database';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import type { DataSource } from 'typeorm';
import { migrations } from '../../migrations';

describe('migrations', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('migrations', { empty: true });
    ds = createDataSource({ url: db.url, poolSize: 2, migrations });
    await ds.initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const tables = async () =>
    (
      await ds.query<{ table_name: string }[]>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations' ORDER BY 1`,
      )
    ).map((r) => r.table_name);

  it('apply on an empty database, revert completely, and apply again', async () => {
    expect(await runMigrations(ds, true)).toHaveLength(migrations.length);
    expect(await tables()).toEqual([
      'audit_log',
      'email_changes',
      'email_verifications',
      'federated_identities',
      'federation_codes',
      'mfa_recovery_codes',
      'mfa_totp',
      'outbox',
      'password_resets',
      'permissions',
      'refresh_tokens',
      'role_permissions',
      'roles',
      'sessions',
      'signing_keys',
      'user_roles',
      'users',
      'webhook_endpoints',
    ]);
    for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
    expect(await tables()).toEqual([]);
    const fns = await ds.query(
      `SELECT proname FROM pg_proc WHERE proname = 'audit_log_append_only'`,
    );
    expect(fns).toEqual([]);
    expect(await runMigrations(ds, true)).toHaveLength(migrations.length);
    expect(await runMigrations(ds, true)).toEqual([]);
  });

  it('seeds the built-in roles and the admin permission', async () => {
    const roles = await ds.query(`SELECT name, built_in FROM roles ORDER BY name`);
    expect(roles).toEqual([
      { name: 'admin', built_in: true },
      { name: 'user', built_in: true },
    ]);
    expect(await ds.query(`SELECT role_name, permission_name FROM role_permissions`)).toEqual([
      { role_name: 'admin', permission_name: 'identity:admin' },
    ]);
  });

  it('enforces one account per normalised email, with a readable constraint name', async () => {
    await ds.query(`INSERT INTO users (email, email_normalized) VALUES ('A@x.io', 'a@x.io')`);
    await expect(
      ds.query(`INSERT INTO users (email, email_normalized) VALUES ('a@x.io', 'a@x.io')`),
    ).rejects.toMatchObject({ driverError: { constraint: 'uq_users_email_normalized' } });
  });

  it('keys identities by (provider, subject), one per provider per account, readable names', async () => {
    const [user] = await ds.query<{ id: string }[]>(
      `INSERT INTO users (email, email_normalized) VALUES ('f@x.io', 'f@x.io') RETURNING id`,
    );
    const [other] = await ds.query<{ id: string }[]>(
      `INSERT INTO users (email, email_normalized) VALUES ('g@x.io', 'g@x.io') RETURNING id`,
    );
    const link = (userId: string, provider: string, subject: string) =>
      ds.query(
        `INSERT INTO federated_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, 'f@x.io')`,
        [provider, subject, userId],
      );
    await link(user!.id, 'google', 's-1');
    await expect(link(other!.id, 'google', 's-1')).rejects.toMatchObject({
      driverError: { constraint: 'uq_federated_identities_provider_subject' },
    });
    await expect(link(user!.id, 'google', 's-2')).rejects.toMatchObject({
      driverError: { constraint: 'uq_federated_identities_user_provider' },
    });
    await expect(link(user!.id, 'Google!', 's-3')).rejects.toMatchObject({
      driverError: { constraint: 'ck_federated_identities_provider' },
    });
    // Deleting the account takes its identities and its one-time codes with it.
    await ds.query(
      `INSERT INTO federation_codes (code_hash, kind, user_id, provider, subject, created_at, expires_at)
       VALUES ('h', 'sign_in', $1, 'google', 's-1', now(), now() + interval '60 seconds')`,
      [user!.id],
    );
    await ds.query(`DELETE FROM users WHERE id = $1`, [user!.id]);
    expect(await ds.query(`SELECT 1 FROM federated_identities`)).toEqual([]);
    expect(await ds.query(`SELECT 1 FROM federation_codes`)).toEqual([]);
  });
});
