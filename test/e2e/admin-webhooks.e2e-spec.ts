/**
 * Webhook receivers for SOC/SIEM (API.md, admin endpoints and Details). The secret is shown
 * once, at creation (generated as `whsec_` + base64 of 32 bytes when not given), never listed
 * and never stored in the clear. Attack: an admin token (or a confused admin) points webhooks
 * at internal services (SSRF); with `WEBHOOK_ALLOW_PRIVATE=false`, loopback and private
 * targets, by address or by name, are refused at registration.
 */
import request from 'supertest';
import { queryDb } from './mfa.helpers';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';

describe('admin webhooks', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness({
      label: 'admin_webhooks',
      env: { ADMIN_REQUIRE_MFA: 'false', WEBHOOK_ALLOW_PRIVATE: 'false' },
    });
  });
  afterAll(() => h.close());

  const admin = () => bearer(h.admin.accessToken);
  const create = (body: object) =>
    request(h.app.url).post('/admin/webhooks').set(admin()).send(body);

  it('creates with a generated secret shown once, lists without it, deletes', async () => {
    const created = await create({
      url: 'https://93.184.216.34/siem',
      events: ['user.locked', 'auth.login.failed', 'user.locked'],
    });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual([
      'enabled',
      'events',
      'format',
      'id',
      'secret',
      'url',
    ]);
    expect(created.body).toMatchObject({
      url: 'https://93.184.216.34/siem',
      events: ['user.locked', 'auth.login.failed'],
      format: 'standard',
      enabled: true,
    });
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice('whsec_'.length), 'base64')).toHaveLength(32);

    const stored = await queryDb<{ secret_enc: string }>(
      h.app.db.url,
      `SELECT secret_enc FROM webhook_endpoints WHERE id = $1`,
      [created.body.id],
    );
    expect(stored[0]!.secret_enc).not.toContain(secret.slice('whsec_'.length, 20));

    const list = await request(h.app.url).get('/admin/webhooks').set(admin());
    expect(list.status).toBe(200);
    const mine = list.body.items.find((w: { id: string }) => w.id === created.body.id);
    expect(Object.keys(mine).sort()).toEqual(['created_at', 'events', 'id', 'url']);
    expect(JSON.stringify(list.body)).not.toContain(secret);

    await request(h.app.url).delete(`/admin/webhooks/${created.body.id}`).set(admin()).expect(204);
    const after = await request(h.app.url).get('/admin/webhooks').set(admin());
    expect(after.body.items.map((w: { id: string }) => w.id)).not.toContain(created.body.id);
    for (const id of [created.body.id, 'nope']) {
      const gone = await request(h.app.url).delete(`/admin/webhooks/${id}`).set(admin());
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('not_found');
    }
    const audit = await request(h.app.url)
      .get('/admin/audit?type=webhook.created&limit=1')
      .set(admin());
    expect(audit.body.items[0].metadata).toMatchObject({
      webhookId: created.body.id,
      actorId: h.admin.userId,
    });
  });

  it('keeps a given secret', async () => {
    const secret = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
    const created = await create({
      url: 'https://93.184.216.34/a',
      events: ['key.rotated'],
      secret,
    });
    expect(created.status).toBe(201);
    expect(created.body.secret).toBe(secret);
  });

  it('refuses private targets, bad URLs, unknown events and malformed secrets', async () => {
    for (const [body, field] of [
      [{ url: 'http://127.0.0.1:9/hook', events: ['user.locked'] }, 'url'],
      [{ url: 'http://localhost:8080/hook', events: ['user.locked'] }, 'url'],
      [{ url: 'http://10.0.0.5/hook', events: ['user.locked'] }, 'url'],
      [{ url: 'http://[::1]/hook', events: ['user.locked'] }, 'url'],
      [{ url: 'http://169.254.169.254/latest/meta-data', events: ['user.locked'] }, 'url'],
      [{ url: 'ftp://93.184.216.34/x', events: ['user.locked'] }, 'url'],
      [{ url: 'https://93.184.216.34/x', events: ['no.such.event'] }, 'events.0'],
      // Audited, but not a webhook event type (API.md's list is the contract).
      [{ url: 'https://93.184.216.34/x', events: ['user.email_verified'] }, 'events.0'],
      [{ url: 'https://93.184.216.34/x', events: ['*'], format: 'cef' }, 'format'],
      [{ url: 'https://93.184.216.34/x', events: [] }, 'events'],
      [{ url: 'https://93.184.216.34/x', events: ['user.locked'], secret: 'hunter2' }, 'secret'],
      // Not canonical base64 (a stray bit in the padding): receivers' decoders disagree on it.
      [
        {
          url: 'https://93.184.216.34/x',
          events: ['user.locked'],
          secret: `whsec_${'A'.repeat(42)}B=`,
        },
        'secret',
      ],
      [{ url: 'https://93.184.216.34/x', events: ['user.locked'], extra: 1 }, 'extra'],
    ] as const) {
      const res = await create(body);
      expect({ body, status: res.status, code: res.body.code }).toEqual({
        body,
        status: 400,
        code: 'validation_failed',
      });
      expect(res.body.errors[0].field).toBe(field);
    }
  });
});
