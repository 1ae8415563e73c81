/**
 * Scale-out: several instances drain the same outbox. `FOR UPDATE SKIP LOCKED` plus the
 * claim lease must make each row go out exactly once, never twice, however the instances'
 * cycles interleave.
 */
import { randomBytes } from 'node:crypto';
import { Mailer } from '@identity/delivery';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import { type DeliveryApp, eventually, startDeliveryApp } from './support/delivery-app';
import { MailCatcher } from '../../../test/support/mail-catcher';

describe('two workers on one outbox', () => {
  let db: TestDatabase;
  let smtp: MailCatcher;
  let a: DeliveryApp;
  let b: DeliveryApp;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_skip_locked');
    // A slow server keeps each worker busy with its batch while the other one polls.
    smtp = new MailCatcher(0, 100);
    const smtpPort = await smtp.start();
    [a, b] = await Promise.all([
      startDeliveryApp({ databaseUrl: db.url, smtpPort }),
      startDeliveryApp({ databaseUrl: db.url, smtpPort }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await smtp?.stop();
    await db?.drop();
  });

  it('sends each of 30 rows exactly once', async () => {
    const sentByA = jest.spyOn(a.module.get(Mailer), 'send');
    const sentByB = jest.spyOn(b.module.get(Mailer), 'send');
    const tokens = Array.from({ length: 30 }, () => randomBytes(16).toString('base64url'));
    await a.db.withTransaction(async (manager) => {
      for (const [i, token] of tokens.entries()) {
        await a.email.queue(manager, {
          template: 'verify_email',
          to: `user${i}@example.test`,
          vars: { token },
        });
      }
    });
    await Promise.all([a.worker.runOnce(), b.worker.runOnce()]);
    await smtp.waitForCount(30, 10_000);
    await eventually(async () => {
      const [row] = await sql(
        a,
        `SELECT count(*)::int AS n FROM outbox WHERE delivered_at IS NULL`,
      );
      return row?.n === 0;
    }, 'every row delivered');
    await new Promise((r) => setTimeout(r, 300)); // let any stray duplicate arrive

    expect(smtp.mails).toHaveLength(30);
    for (const token of tokens) expect(smtp.withText(token)).toHaveLength(1);
    const [attempts] = await sql(a, `SELECT min(attempts) AS lo, max(attempts) AS hi FROM outbox`);
    expect(attempts).toEqual({ lo: 1, hi: 1 });
    // Both instances took part, so the exclusivity was actually exercised.
    expect(sentByA.mock.calls.length).toBeGreaterThan(0);
    expect(sentByB.mock.calls.length).toBeGreaterThan(0);
    expect(sentByA.mock.calls.length + sentByB.mock.calls.length).toBe(30);
  });
});

async function sql(app: DeliveryApp, text: string): Promise<Record<string, unknown>[]> {
  return app.db.dataSource.query<Record<string, unknown>[]>(text);
}
