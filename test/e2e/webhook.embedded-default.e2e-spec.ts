/**
 * Webhooks on `npm start`'s embedded default (PGlite, one database connection, in-memory kv):
 * the fan-out reads the receivers inside the emitting transaction and the admin use cases
 * keep every statement in theirs, so nothing waits for a second connection that a pool of
 * one cannot give (a deadlock would hang registration or the first event). A failed login
 * reaches a receiver on loopback, signed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { freePort, GOOD_PASSWORD, webhookHeaders, WebhookReceiver } from '@identity/testing';
import { spawnIdentity, waitForHttp } from '../support/process';

describe('webhooks on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-embedded-webhooks-'));
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(async () => {
    await receiver.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a failed login to a receiver registered over the admin API', async () => {
    const port = await freePort();
    const email = 'admin@example.test';
    const p = spawnIdentity({
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      BOOTSTRAP_ADMIN_EMAIL: email,
      ADMIN_REQUIRE_MFA: 'false',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      OUTBOX_POLL_INTERVAL_MS: '100',
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitForHttp(`${url}/healthz`, p, 60_000);
      expect(p.stdout()).toMatch(/database: embedded PGlite/);
      await request(url)
        .post('/auth/register')
        .send({ email, password: GOOD_PASSWORD })
        .expect(202);
      // No SMTP_URL: the mail is logged (development only).
      let token: string | undefined;
      for (let i = 0; i < 100 && !token; i++) {
        token = /verify-email\?token=([A-Za-z0-9_-]+)/.exec(p.stdout())?.[1];
        if (!token) await new Promise((r) => setTimeout(r, 50));
      }
      expect(token).toBeDefined();
      await request(url)
        .post('/auth/verify-email')
        .send({ token, password: GOOD_PASSWORD })
        .expect(200);
      const login = await request(url)
        .post('/auth/login')
        .send({ email, password: GOOD_PASSWORD })
        .expect(200);
      const created = await request(url)
        .post('/admin/webhooks')
        .set('Authorization', `Bearer ${login.body.access_token as string}`)
        .send({ url: receiver.url(), events: ['auth.login.failed'] });
      expect(created.status).toBe(201);

      await request(url).post('/auth/login').send({ email, password: 'not it at all' }).expect(401);
      const [delivery] = await receiver.waitFor(1, 3_000);
      const body = new Webhook(created.body.secret as string).verify(
        delivery!.body,
        webhookHeaders(delivery!),
      );
      expect(body).toMatchObject({ type: 'auth.login.failed' });
    } finally {
      p.child.kill('SIGTERM');
      expect(await p.exited).toBe(0);
    }
  }, 90_000);
});
