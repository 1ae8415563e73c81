/**
 * Durability across a crash: an event that committed must reach its receiver even if the
 * process dies before the delivery succeeds (OOM kill, node failure), and exactly once: a
 * SIEM that counts failed logins must not see one twice, nor lose one. The app runs as a
 * real process; its receiver is down when the event commits (the first attempt fails), the
 * process is killed with SIGKILL (no shutdown hook runs), the receiver comes back, and a new
 * process delivers the event once. The retry's due time is moved forward in the database
 * instead of waiting out the backoff.
 */
import request from 'supertest';
import { Client } from 'pg';
import { Webhook } from 'standardwebhooks';
import {
  createTestDatabase,
  freePort,
  MailCatcher,
  type TestDatabase,
  uniqueEmail,
  uniqueKvPrefix,
  webhookHeaders,
  WebhookReceiver,
} from '@identity/testing';
import { type IdentityProcess, spawnIdentity, waitForHttp } from '../support/process';
import { bearer, signUpOn } from './admin.fixtures';

describe('a delivery survives SIGKILL between commit and delivery', () => {
  let db: TestDatabase;
  const mail = new MailCatcher();
  const processes: IdentityProcess[] = [];
  let receiver: WebhookReceiver | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('webhook_crash');
    await mail.start();
  });
  afterAll(async () => {
    for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await receiver?.stop();
    await mail.stop();
    await db?.drop();
  });

  const sql = async <R>(text: string, params: unknown[] = []): Promise<R[]> => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as R[];
    } finally {
      await client.end();
    }
  };

  it('is delivered exactly once by the next process', async () => {
    const adminEmail = uniqueEmail('admin');
    const port = await freePort();
    const env = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: db.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: uniqueKvPrefix('webhook_crash'),
      SMTP_URL: `smtp://127.0.0.1:${mail.port}`,
      BOOTSTRAP_ADMIN_EMAIL: adminEmail,
      ADMIN_REQUIRE_MFA: 'false',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      OUTBOX_POLL_INTERVAL_MS: '100',
      LOG_LEVEL: 'warn',
    };
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      const p = spawnIdentity({ ...env, GRPC_PORT: String(await freePort()) });
      processes.push(p);
      await waitForHttp(`${url}/healthz`, p);
      return p;
    };

    const first = await start();
    const admin = await signUpOn(url, mail, adminEmail);
    const victim = await signUpOn(url, mail, uniqueEmail('victim'));
    const receiverPort = await freePort(); // nothing listens there yet
    const created = await request(url)
      .post('/admin/webhooks')
      .set(bearer(admin.accessToken))
      .send({ url: `http://127.0.0.1:${receiverPort}/siem`, events: ['auth.login.failed'] });
    expect(created.status).toBe(201);

    await request(url)
      .post('/auth/login')
      .send({ email: victim.email, password: 'wrong password, twice over' })
      .expect(401);
    // Committed, attempted once (connection refused), waiting for its retry.
    let rows: { delivery_id: string; attempts: number }[] = [];
    for (let i = 0; i < 100 && rows[0]?.attempts !== 1; i++) {
      rows = await sql(`SELECT delivery_id, attempts FROM outbox WHERE kind = 'webhook'`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(rows).toEqual([{ delivery_id: expect.any(String), attempts: 1 }]);

    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    receiver = new WebhookReceiver({ port: receiverPort });
    await receiver.start();
    // The retry was due in ~5 s: make it due now rather than wait.
    await sql(`UPDATE outbox SET next_attempt_at = now() WHERE delivered_at IS NULL`);
    const second = await start();
    const [delivery] = await receiver.waitFor(1, 5_000);
    await new Promise((r) => setTimeout(r, 500)); // several polls later: still one
    expect(receiver.requests).toHaveLength(1);
    expect(delivery!.headers['webhook-id']).toBe(rows[0]!.delivery_id);
    const body = new Webhook(created.body.secret as string).verify(
      delivery!.body,
      webhookHeaders(delivery!),
    );
    expect(body).toMatchObject({ type: 'auth.login.failed', data: { user_id: victim.userId } });
    expect(
      await sql(`SELECT attempts, delivered_at IS NOT NULL AS delivered FROM outbox
                  WHERE kind = 'webhook'`),
    ).toEqual([{ attempts: 2, delivered: true }]);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
