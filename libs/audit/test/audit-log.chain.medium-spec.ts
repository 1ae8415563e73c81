/**
 * Attack: rewriting history. The database refuses UPDATE/DELETE/TRUNCATE on audit_log, but
 * someone with INSERT rights (or a bug) can still slip rows in. Every row carries its
 * predecessor's hash and a hash over its own stored fields, so `verifyChain` finds a forged
 * row; concurrent appenders must never fork the chain (two rows naming one predecessor).
 */
import { GENESIS_HASH } from '../src/audit-chain';
import { type AuditTestApp, createAuditTestApp, rawAuditRows } from './audit-test-app';

const USER = '3f6e2d5a-0b8c-4c1e-9f7b-6a4d2e1c3b5a';

describe('audit_log hash chain', () => {
  let app: AuditTestApp;

  beforeAll(async () => {
    app = await createAuditTestApp('audit_chain');
  });

  afterAll(() => app.close());

  it('verifies an empty chain', async () => {
    await expect(app.auditLog.verifyChain()).resolves.toEqual({ ok: true, count: 0 });
  });

  it('keeps one linear chain when 50 transactions append concurrently', async () => {
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.db.withTransaction(async (m) => {
          await app.bus.emit(m, 'auth.login.failed', {
            reason: 'invalid_credentials',
            ipHash: `ip-${i}`,
          });
          // Hold the chain lock a moment so the other 49 really queue behind it.
          await m.query('SELECT pg_sleep(0.002)');
        }),
      ),
    );

    const rows = await rawAuditRows(app.db);
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.ip_hash)).size).toBe(50);
    expect(rows[0]!.prev_hash).toBe(GENESIS_HASH);
    rows.slice(1).forEach((row, i) => expect(row.prev_hash).toBe(rows[i]!.hash));
    await expect(app.auditLog.verifyChain()).resolves.toEqual({ ok: true, count: 50 });
  });

  it('opens a transaction of its own when given none', async () => {
    await app.auditLog.append({
      type: 'user.locked',
      userId: USER.toUpperCase(),
      metadata: { actorId: 'admin-1' },
      createdAt: new Date(),
    });
    await expect(app.auditLog.verifyChain()).resolves.toEqual({ ok: true, count: 51 });
  });

  it('refuses to append in a REPEATABLE READ transaction, whose snapshot could fork the chain', async () => {
    await expect(
      app.db.dataSource.transaction('REPEATABLE READ', (m) =>
        app.auditLog.append({ type: 'mfa.enabled', metadata: {}, createdAt: new Date() }, m),
      ),
    ).rejects.toThrow(/READ COMMITTED/);
  });

  it('reports a row inserted around the repository with a wrong hash', async () => {
    const [last] = await app.db.query<{ hash: string }>(
      `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`,
    );
    const [forged] = await app.db.query<{ id: string }>(
      `INSERT INTO audit_log (type, user_id, metadata, created_at, prev_hash, hash)
       VALUES ('user.unlocked', $1, '{}', now(), $2, $3) RETURNING id`,
      [USER, last!.hash, 'f'.repeat(64)],
    );
    // A later, honest append chains onto the forged row; the break stays where it is.
    await app.db.withTransaction((m) => app.bus.emit(m, 'mfa.enabled', { userId: USER }));

    await expect(app.auditLog.verifyChain()).resolves.toEqual({
      ok: false,
      brokenAtId: forged!.id,
    });
  });
});
