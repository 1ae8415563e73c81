/**
 * The worker's life cycle: a committed mail leaves at once (the commit nudges the worker, no
 * poll needed), and shutdown lets the batch in flight finish and record its outcome before
 * the database closes, so a deploy does not resend (or lose track of) mail.
 */
import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@identity/database';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';
import { MailCatcher } from '../../../test/support/mail-catcher';

/** Long enough that only a nudge (or the boot-time drain) can explain a send. */
const NO_POLL_MS = 600_000;

describe('outbox worker life cycle', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let smtp: MailCatcher;
  const apps: DeliveryApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('delivery_lifecycle');
    ds = createDataSource({ url: db.url, poolSize: 1, migrations: [] });
    await ds.initialize();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await smtp?.stop();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const start = async (acceptDelayMs: number): Promise<DeliveryApp> => {
    smtp = new MailCatcher(0, acceptDelayMs);
    const smtpPort = await smtp.start();
    const app = await startDeliveryApp({
      databaseUrl: db.url,
      smtpPort,
      pollIntervalMs: NO_POLL_MS,
    });
    apps.push(app);
    await app.worker.runOnce(); // let the boot-time drain finish
    return app;
  };

  it('sends a mail right after its transaction commits, without waiting for a poll', async () => {
    const app = await start(0);
    const token = randomBytes(16).toString('base64url');
    await app.db.withTransaction((manager) =>
      app.email.queue(manager, {
        template: 'verify_email',
        to: 'eve@example.test',
        vars: { token },
      }),
    );
    await smtp.waitForCount(1, 2_000);
    expect(smtp.withText(token)).toHaveLength(1);
  });

  it('finishes the delivery in flight and records it before shutting down', async () => {
    const app = await start(500); // the SMTP server takes 500 ms to accept each mail
    const token = randomBytes(16).toString('base64url');
    await app.db.withTransaction((manager) =>
      app.email.queue(manager, {
        template: 'verify_email',
        to: 'finn@example.test',
        vars: { token },
      }),
    );
    await smtp.waitForCount(1, 2_000); // the data is in; the server has not answered yet
    await app.close();
    apps.splice(0);

    const rows = await ds.query<{ delivered_at: Date | null; attempts: number }[]>(
      `SELECT delivered_at, attempts FROM outbox ORDER BY id DESC LIMIT 1`,
    );
    expect(rows[0]?.delivered_at).toBeInstanceOf(Date);
    expect(rows[0]?.attempts).toBe(1);
  });
});
