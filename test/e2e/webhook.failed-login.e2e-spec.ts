/**
 * The point of SOC webhooks: a password-guessing attempt must reach the SIEM while it is
 * happening, signed so that it cannot be forged, and naming the account by id only (never
 * the email that was typed, nor the password). Against the real app: an admin registers a
 * receiver over the admin API, a wrong password is posted to /auth/login, and a receiver on
 * loopback gets `auth.login.failed` within 2 s, verified with the `standardwebhooks` package.
 */
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { webhookHeaders, WebhookReceiver } from '@identity/testing';
import { type AdminHarness, bearer, startAdminHarness, type TestUser } from './admin.fixtures';

describe('a failed login reaches a registered receiver', () => {
  let h: AdminHarness;
  let victim: TestUser;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    h = await startAdminHarness({
      label: 'webhook_failed_login',
      env: { ADMIN_REQUIRE_MFA: 'false' },
    });
    victim = await h.signUp('victim');
  });
  afterAll(async () => {
    await h?.close();
    await receiver.stop();
  });

  it('is delivered signed within 2 s, with ids only', async () => {
    const created = await request(h.app.url)
      .post('/admin/webhooks')
      .set(bearer(h.admin.accessToken))
      .send({ url: receiver.url('/siem'), events: ['auth.login.failed'] });
    expect(created.status).toBe(201);
    const secret = created.body.secret as string;

    const wrongPassword = 'not the password at all 123';
    const startedAt = Date.now();
    const refused = await request(h.app.url)
      .post('/auth/login')
      .send({ email: victim.email, password: wrongPassword });
    expect(refused.status).toBe(401);

    const [delivery] = await receiver.waitFor(1, 2_000);
    expect(delivery!.receivedAt.getTime() - startedAt).toBeLessThan(2_000);
    expect(delivery!.path).toBe('/siem');
    const body = new Webhook(secret).verify(delivery!.body, webhookHeaders(delivery!)) as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    expect(body.type).toBe('auth.login.failed');
    expect(body.data).toMatchObject({ user_id: victim.userId, reason: 'invalid_credentials' });
    expect(typeof body.data.ip_hash).toBe('string');
    expect(delivery!.body).not.toContain(victim.email);
    expect(delivery!.body).not.toContain(wrongPassword);
    expect(delivery!.body).not.toContain('127.0.0.1');

    // Nothing else: it subscribed to failed logins only.
    await new Promise((r) => setTimeout(r, 200));
    expect(receiver.requests).toHaveLength(1);
  });
});
