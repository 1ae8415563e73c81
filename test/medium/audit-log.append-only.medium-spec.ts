/**
 * Attack: someone with write access to the database (a compromised service account, a
 * careless script) rewrites or erases the audit trail to hide what happened. The table
 * refuses UPDATE, DELETE and TRUNCATE at the database level, whoever asks.
 */
import { createDataSource } from '@identity/database';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import type { DataSource } from 'typeorm';

describe('audit_log is append-only', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('audit_append_only');
    ds = createDataSource({ url: db.url, poolSize: 2, migrations: [] });
    await ds.initialize();
    await ds.query(
      `INSERT INTO audit_log (type, metadata, prev_hash, hash) VALUES ('user.registered', '{}', 'genesis', 'h1')`,
    );
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('accepts inserts', async () => {
    await ds.query(
      `INSERT INTO audit_log (type, metadata, prev_hash, hash) VALUES ('auth.login.failed', '{}', 'h1', 'h2')`,
    );
    const [row] = await ds.query(`SELECT count(*)::int AS n FROM audit_log`);
    expect(row.n).toBe(2);
  });

  it.each([
    ['UPDATE', `UPDATE audit_log SET type = 'forged'`],
    ['DELETE', `DELETE FROM audit_log`],
    ['TRUNCATE', `TRUNCATE audit_log`],
  ])('refuses %s', async (op, sql) => {
    await expect(ds.query(sql)).rejects.toThrow(new RegExp(`append-only: ${op} refused`));
    const [row] = await ds.query(`SELECT count(*)::int AS n, min(type) AS t FROM audit_log`);
    expect(row.n).toBeGreaterThanOrEqual(1);
    expect(row.t).not.toBe('forged');
  });
});
