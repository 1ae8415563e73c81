/**
 * Attack: an "address" that a mailer reads as someone else's. `"x"<attacker@evil.example>`,
 * `victim@example.com,attacker@evil.example` and friends pass a naive "one @" check, and
 * nodemailer would deliver the verification or reset mail to the attacker. Property: emails
 * are plain `local@domain`; quotes, angle brackets, commas, semicolons, parentheses, brackets,
 * colons, backslashes, whitespace and control characters answer 400 `validation_failed`
 * everywhere an email is taken, and nothing is mailed.
 */
import request from 'supertest';
import { GOOD_PASSWORD, MailCatcher } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

const HOSTILE = [
  '"x"<attacker@evil.example>',
  '<victim@example.com>',
  'victim@example.com,attacker@evil.example',
  'victim@example.com;attacker@evil.example',
  '"victim"@example.com',
  'victim(comment)@example.com',
  'group:victim@example.com',
  'victim@[127.0.0.1]',
  'vic tim@example.com',
  'victim@example.com\r\nBcc: attacker@evil.example',
];

describe('email address grammar', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'email_grammar',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  it.each(HOSTILE)(
    'refuses %j on register, resend and forgot, and mails nothing',
    async (email) => {
      for (const [path, body] of [
        ['/auth/register', { email, password: GOOD_PASSWORD }],
        ['/auth/resend-verification', { email }],
        ['/auth/forgot-password', { email }],
      ] as const) {
        const res = await request(app.url).post(path).send(body);
        expect({ path, status: res.status, code: res.body.code }).toEqual({
          path,
          status: 400,
          code: 'validation_failed',
        });
      }
      expect(mail.mails).toEqual([]);
    },
  );
});
