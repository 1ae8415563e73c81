/**
 * The audit row commits with the change that caused it, or not at all: an event emitted in a
 * transaction that rolls back leaves no row (no trail of things that never happened), and
 * a failing append rolls the change back (no change without its trail).
 */
import { type AuditTestApp, createAuditTestApp, rawAuditRows } from './audit-test-app';
import type { IdentityEvent } from '../src/identity-events';

const USER = '0b8c3f6e-2d5a-4c1e-9f7b-6a4d2e1c3b5a';
const SESSION = '5e2a7c9d-1b3f-4e6a-8d0c-2f4b6a8e1c3d';
const KEPT = '9c1e3a5b-7d9f-4b2d-8e6a-0c2e4a6b8d0f';

describe('AuditSubscriber', () => {
  let app: AuditTestApp;
  const committed: IdentityEvent[] = [];

  beforeAll(async () => {
    app = await createAuditTestApp('audit_subscriber');
    app.bus.onCommitted('*', (event) => void committed.push(event));
  });

  afterAll(() => app.close());

  it('writes one row per event: ids to columns, the rest to metadata, created_at = event time', async () => {
    await app.db.withTransaction((m) =>
      app.bus.emit(m, 'session.revoked', {
        userId: USER,
        sessionId: SESSION,
        ipHash: 'ip-hash-1',
        scope: 'user',
        reason: 'logout_all',
        sessionIds: [SESSION],
        keptSessionId: KEPT,
      }),
    );

    const rows = await rawAuditRows(app.db);
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({
      type: 'session.revoked',
      user_id: USER,
      session_id: SESSION,
      ip_hash: 'ip-hash-1',
      metadata: { scope: 'user', reason: 'logout_all', sessionIds: [SESSION], keptSessionId: KEPT },
    });
    expect(Object.keys(row!.metadata).sort()).toEqual([
      'keptSessionId',
      'reason',
      'scope',
      'sessionIds',
    ]);
    expect(committed).toHaveLength(1);
    expect(row!.created_at.getTime()).toBe(committed[0]!.at.getTime());
  });

  it('leaves no row, and runs no after-commit handler, when the transaction throws after emitting', async () => {
    const before = (await rawAuditRows(app.db)).length;
    const seenBefore = committed.length;

    await expect(
      app.db.withTransaction(async (m) => {
        await app.bus.emit(m, 'user.locked', { userId: USER });
        throw new Error('the change failed after the event');
      }),
    ).rejects.toThrow('the change failed after the event');

    expect(await rawAuditRows(app.db)).toHaveLength(before);
    expect(committed).toHaveLength(seenBefore);

    await app.db.withTransaction((m) => app.bus.emit(m, 'user.unlocked', { userId: USER }));
    expect(committed.slice(seenBefore).map((e) => e.type)).toEqual(['user.unlocked']);
  });

  it('rolls the whole transaction back when an append fails', async () => {
    const before = (await rawAuditRows(app.db)).length;

    await expect(
      app.db.withTransaction(async (m) => {
        await app.bus.emit(m, 'mfa.enabled', { userId: USER });
        // Not a UUID: the insert fails, and with it everything the transaction did.
        await app.bus.emit(m, 'mfa.disabled', { userId: 'not-a-uuid' });
      }),
    ).rejects.toThrow();

    expect(await rawAuditRows(app.db)).toHaveLength(before);
    await expect(app.auditLog.verifyChain()).resolves.toEqual({ ok: true, count: before });
  });
});
