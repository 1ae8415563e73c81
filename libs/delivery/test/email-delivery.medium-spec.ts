/**
 * The email channel end to end: a mail queued in a transaction goes out over real SMTP once
 * the transaction commits, with the link API.md fixes, and never when it rolls back.
 */
import { randomBytes } from 'node:crypto';
import { EMAIL_TEMPLATES, type EmailMessage } from '@identity/delivery';
import { createTestDatabase, type TestDatabase } from '@identity/testing';
import {
  type DeliveryApp,
  eventually,
  startDeliveryApp,
  TEST_APP_URL,
} from './support/delivery-app';
import { MailCatcher } from '../../../test/support/mail-catcher';

const token = () => randomBytes(24).toString('base64url');

describe('email delivery over SMTP', () => {
  let db: TestDatabase;
  let smtp: MailCatcher;
  let app: DeliveryApp;

  beforeAll(async () => {
    db = await createTestDatabase('delivery_email');
    smtp = new MailCatcher();
    const smtpPort = await smtp.start();
    app = await startDeliveryApp({ databaseUrl: db.url, smtpPort });
  });
  afterAll(async () => {
    await app?.close();
    await smtp?.stop();
    await db?.drop();
  });

  it('sends a queued verification mail with the right headers, link and escaped name', async () => {
    const t = token();
    const before = smtp.mails.length;
    await app.db.withTransaction((manager) =>
      app.email.queue(manager, {
        template: 'verify_email',
        to: 'alice@example.test',
        vars: { token: t, name: '<script>alert(1)</script>' },
      }),
    );
    await smtp.waitForCount(before + 1);
    const [mail] = smtp.withText(t);
    expect(mail).toBeDefined();
    expect(mail!.envelopeTo).toEqual(['alice@example.test']);
    expect(mail!.envelopeFrom).toBe('no-reply@id.test');
    expect(mail!.headers.to).toBe('alice@example.test');
    expect(mail!.headers.from).toBe('Identity <no-reply@id.test>');
    expect(mail!.headers.subject).toBe('Confirm your email address');
    const link = /(\S+verify-email\?token=\S+)/.exec(mail!.text)?.[1];
    expect(link).toBe(`${TEST_APP_URL}/auth/verify-email?token=${t}`);
    expect(mail!.html).toContain(`href="${TEST_APP_URL}/auth/verify-email?token=${t}"`);
    expect(mail!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail!.html).not.toContain('<script>');
  });

  it('never sends a mail queued in a transaction that rolls back', async () => {
    const t = token();
    const rowsBefore = await countOutboxRows(app);
    await expect(
      app.db.withTransaction(async (manager) => {
        await app.email.queue(manager, {
          template: 'reset_password',
          to: 'mallory@example.test',
          vars: { token: t },
        });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await app.worker.runOnce();
    await new Promise((r) => setTimeout(r, 300)); // several poll intervals
    expect(smtp.withText(t)).toHaveLength(0);
    expect(await countOutboxRows(app)).toBe(rowsBefore);
  });

  it('sends every template', async () => {
    const before = smtp.mails.length;
    const messages: EmailMessage[] = EMAIL_TEMPLATES.map((template) => {
      const to = `${template.replace(/_/g, '-')}@example.test`;
      return ['verify_email', 'reset_password', 'account_exists', 'confirm_email_change'].includes(
        template,
      )
        ? ({ template, to, vars: { token: token() } } as EmailMessage)
        : ({
            template,
            to,
            vars: { name: 'Carol', newEmail: 'carol@example.test' },
          } as EmailMessage);
    });
    await app.db.withTransaction(async (manager) => {
      for (const m of messages) await app.email.queue(manager, m);
    });
    await smtp.waitForCount(before + messages.length);
    const subjects = smtp.mails.slice(before).map((m) => m.headers.subject);
    expect(new Set(subjects).size).toBe(messages.length);
    await eventually(async () => (await pendingCount(app)) === 0, 'the outbox to drain');
  });
});

async function countOutboxRows(app: DeliveryApp): Promise<number> {
  const [row] = await app.db.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM outbox`,
  );
  return row!.n;
}

async function pendingCount(app: DeliveryApp): Promise<number> {
  const [row] = await app.db.dataSource.query<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL`,
  );
  return row!.n;
}
