/**
 * Attack: someone who can read the database but not the key-encryption key (a read replica,
 * a leaked backup, an over-broad support query) harvests live verification and reset links
 * from the outbox and takes over accounts. Mail payloads are sealed with the KEK before they
 * are stored, and replaced by `{ redacted: true }` once delivered. The retry bookkeeping
 * (`last_error`, logs) never quotes the link either.
 */
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { REDACTED_PAYLOAD } from '@identity/delivery';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import {
  type DeliveryApp,
  eventually,
  makePendingDue,
  startDeliveryApp,
} from './support/delivery-app';
import { MailCatcher } from '../../../test/support/mail-catcher';

interface RawRow {
  id: string;
  payload_text: string;
  attempts: number;
  last_error: string | null;
  delivered_at: Date | null;
}

describe('outbox email payloads are confidential', () => {
  let db: TestDatabase;
  let smtp: MailCatcher;
  let app: DeliveryApp;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_confidential');
    // Reserve a port, then leave it closed: mail stays pending until the server starts.
    smtp = new MailCatcher();
    const smtpPort = await smtp.start();
    await smtp.stop();
    app = await startDeliveryApp({ databaseUrl: db.url, smtpPort });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
    await db?.drop();
  });

  const rawRow = async (): Promise<RawRow> => {
    const rows = await app.db.dataSource.query<RawRow[]>(
      `SELECT id, payload::text AS payload_text, attempts, last_error, delivered_at
         FROM outbox ORDER BY id DESC LIMIT 1`,
    );
    return rows[0]!;
  };

  it('stores a sealed payload, redacts it once delivered, and logs no link', async () => {
    const token = randomBytes(32).toString('base64url');
    await app.db.withTransaction((manager) =>
      app.email.queue(manager, {
        template: 'reset_password',
        to: 'victim@example.test',
        vars: { token },
      }),
    );
    await eventually(async () => (await rawRow()).attempts === 1, 'the first failed attempt');

    const pending = await rawRow();
    expect(pending.delivered_at).toBeNull();
    expect(pending.payload_text).not.toContain(token);
    expect(pending.payload_text).not.toContain('victim@example.test');
    expect(pending.payload_text).not.toContain('reset');
    expect(JSON.parse(pending.payload_text)).toEqual({ sealed: expect.stringMatching(/^v1\./) });
    expect(pending.last_error).not.toContain(token);

    await smtp.start();
    await makePendingDue(app.db.dataSource);
    await smtp.waitForCount(1);
    expect(smtp.withText(token)).toHaveLength(1);
    await eventually(async () => (await rawRow()).delivered_at !== null, 'the row to be delivered');

    const delivered = await rawRow();
    expect(JSON.parse(delivered.payload_text)).toEqual(REDACTED_PAYLOAD);
    expect(app.logs.lines.join('\n')).not.toContain(token);
  });

  it('does not open a sealed payload moved to another purpose', async () => {
    // A box sealed for something else (another table, another aad) is not accepted as mail.
    const config = app.module.get<AppConfig>(APP_CONFIG);
    const box = new SecretBox(config.secrets.keyEncryptionKey);
    const forged = box.encrypt(
      JSON.stringify({ template: 'verify_email', to: 'x@example.test', vars: { token: 'x' } }),
      'totp:secret',
    );
    const id = await app.outbox.enqueue({
      kind: 'email',
      payload: { sealed: forged },
      now: new Date(),
    });
    await eventually(
      async () => ((await app.outbox.findById(id))?.attempts ?? 0) >= 1,
      'the attempt on the forged row',
    );
    const row = await app.outbox.findById(id);
    expect(row?.deliveredAt).toBeNull();
    expect(row?.lastError).toMatch(/does not open/);
    expect(smtp.mails.filter((m) => m.envelopeTo.includes('x@example.test'))).toHaveLength(0);
  });
});
