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
      'email_verifications',
      'federated_identities',
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
});
