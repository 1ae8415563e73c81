/**
 * Attack: reading secrets out of the audit trail. The trail is kept for years, exported to
 * SIEMs and read by admins, and it can never be cleaned (append-only). Events carry ids only
 * by contract; should a payload ever grow an email, password, token, secret or code field,
 * the subscriber drops it, at any depth, before the row is written.
 */
import { Logger } from '@nestjs/common';
import { type AuditTestApp, createAuditTestApp, rawAuditRows } from './audit-test-app';
import type { IdentityEventMap } from '../src/identity-events';

const USER = '6a4d2e1c-3b5a-4c1e-9f7b-0b8c3f6e2d5a';
const SECRETS = [
  'alice@example.com',
  'hunter2-correct-horse',
  'rt_5f2a9c0e7d1b',
  'whsec_9d8c7b6a',
  '123456',
  'nested@example.com',
];

describe('audit metadata redaction', () => {
  let app: AuditTestApp;

  beforeAll(async () => {
    app = await createAuditTestApp('audit_pii');
  });

  afterAll(() => app.close());

  it('drops email, password, token, secret and code keys at any depth and logs only their names', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    // What a careless emitter might write; the event types forbid it, hence the cast.
    const payload = {
      userId: USER,
      actorId: 'admin-1',
      email: SECRETS[0],
      newPassword: SECRETS[1],
      refreshToken: SECRETS[2],
      clientSecret: SECRETS[3],
      totpCode: SECRETS[4],
      details: { Email: SECRETS[5], attempts: 3, list: [{ resetToken: SECRETS[2], ok: true }] },
    } as unknown as IdentityEventMap['user.locked'];

    await app.db.withTransaction((m) => app.bus.emit(m, 'user.locked', payload));

    const [row] = await rawAuditRows(app.db);
    expect(row?.metadata).toEqual({
      actorId: 'admin-1',
      details: { attempts: 3, list: [{ ok: true }] },
    });
    const stored = JSON.stringify(row);
    for (const secret of SECRETS) expect(stored).not.toContain(secret);

    expect(warn).toHaveBeenCalledTimes(1);
    const logged = JSON.stringify(warn.mock.calls);
    expect(logged).toContain('newPassword');
    expect(logged).toContain('details.list.0.resetToken');
    for (const secret of SECRETS) expect(logged).not.toContain(secret);
    warn.mockRestore();

    await expect(app.auditLog.verifyChain()).resolves.toEqual({ ok: true, count: 1 });
  });
});
