/**
 * Durability: a mail whose SMTP server is down is not lost. The failure is recorded with a
 * short reason, the row is retried on the backoff schedule and sent exactly once when the
 * server is back; after the last attempt it is dead, and nothing retries it any more.
 */
import { randomBytes } from 'node:crypto';
import { OUTBOX_MAX_ATTEMPTS, REDACTED_PAYLOAD } from '@identity/delivery';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import {
  type DeliveryApp,
  eventually,
  makePendingDue,
  startDeliveryApp,
} from './support/delivery-app';
import { MailCatcher } from '../../../test/support/mail-catcher';

describe('outbox retries while SMTP is down', () => {
  let db: TestDatabase;
  let smtp: MailCatcher;
  let app: DeliveryApp;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_retry');
    smtp = new MailCatcher();
    const smtpPort = await smtp.start();
    app = await startDeliveryApp({ databaseUrl: db.url, smtpPort });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
    await db?.drop();
  });

  const queueReset = async (token: string): Promise<string> => {
    await app.db.withTransaction((manager) =>
      app.email.queue(manager, {
        template: 'reset_password',
        to: 'dora@example.test',
        vars: { token },
      }),
    );
    const [row] = await app.db.dataSource.query<{ id: string }[]>(
      `SELECT max(id)::text AS id FROM outbox`,
    );
    return row!.id;
  };

  const secondsUntilNextAttempt = async (id: string): Promise<number> => {
    const [row] = await app.db.dataSource.query<{ s: number }[]>(
      `SELECT extract(epoch FROM next_attempt_at - now())::float AS s FROM outbox WHERE id = $1`,
      [id],
    );
    return row!.s;
  };

  it('keeps the row pending after a failure and delivers it exactly once when SMTP is back', async () => {
    await smtp.stop(); // nothing listens on the port any more
    const token = randomBytes(24).toString('base64url');
    const id = await queueReset(token);

    await eventually(async () => (await app.outbox.findById(id))?.attempts === 1, 'attempt 1');
    const failed = await app.outbox.findById(id);
    expect(failed).toMatchObject({ attempts: 1, deliveredAt: null, deadAt: null });
    expect(failed!.lastError).toMatch(/ECONNREFUSED|ESOCKET|ECONNECTION/);
    expect(failed!.lastError!.length).toBeLessThanOrEqual(300);
    expect(failed!.lastError).not.toContain(token);
    const wait = await secondsUntilNextAttempt(id);
    expect(wait).toBeGreaterThan(3.5);
    expect(wait).toBeLessThanOrEqual(5);

    // Nothing is retried before it is due, whatever the poll does meanwhile.
    await app.worker.runOnce();
    expect((await app.outbox.findById(id))?.attempts).toBe(1);

    await smtp.start();
    await makePendingDue(app.db.dataSource);
    await eventually(async () => (await app.outbox.findById(id))?.deliveredAt != null, 'delivery');
    await app.worker.runOnce();
    await new Promise((r) => setTimeout(r, 200)); // more polls: still one mail
    expect(smtp.withText(token)).toHaveLength(1);
    // Delivered: the error of the first attempt is gone with it.
    expect(await app.outbox.findById(id)).toMatchObject({
      attempts: 2,
      deadAt: null,
      lastError: null,
    });
  });

  it('retries after the SMTP server closes mid-life, with pooled connections open', async () => {
    // Warm the pool, then take the server away under it.
    await queueReset(randomBytes(8).toString('hex'));
    await smtp.waitForCount(smtp.mails.length || 1);
    await smtp.stop();
    const token = randomBytes(24).toString('base64url');
    const id = await queueReset(token);
    await eventually(async () => (await app.outbox.findById(id))?.attempts === 1, 'attempt 1');
    expect((await app.outbox.findById(id))?.deliveredAt).toBeNull();

    await smtp.start();
    await makePendingDue(app.db.dataSource);
    await eventually(async () => (await app.outbox.findById(id))?.deliveredAt != null, 'delivery');
    expect(smtp.withText(token)).toHaveLength(1);
  });

  it(`marks the row dead after ${OUTBOX_MAX_ATTEMPTS} failed attempts`, async () => {
    await smtp.stop();
    const token = randomBytes(24).toString('base64url');
    const id = await queueReset(token);
    await eventually(async () => (await app.outbox.findById(id))?.attempts === 1, 'attempt 1');
    for (let attempt = 2; attempt <= OUTBOX_MAX_ATTEMPTS; attempt++) {
      await makePendingDue(app.db.dataSource);
      // runOnce queues behind any cycle in flight, so the due row has been tried when it returns.
      await app.worker.runOnce();
      expect((await app.outbox.findById(id))?.attempts).toBe(attempt);
    }
    const dead = await app.outbox.findById(id);
    expect(dead?.deadAt).toBeInstanceOf(Date);
    expect(dead?.deliveredAt).toBeNull();
    expect(dead?.payload).toEqual(REDACTED_PAYLOAD);

    // Dead is final: even when the server is back and time passes, nothing is sent.
    await smtp.start();
    await makePendingDue(app.db.dataSource);
    await app.worker.runOnce();
    expect(smtp.withText(token)).toHaveLength(0);
    expect((await app.outbox.findById(id))?.attempts).toBe(OUTBOX_MAX_ATTEMPTS);
  });
});
