/**
 * Attack: account enumeration. An attacker probes which emails have accounts through
 * register, resend-verification, forgot-password and login. Every one of them must answer
 * a known and an unknown email identically (status and body), and login must run the same
 * argon2 work for both (timing is compared loosely; the real proof is in the accounts tests).
 */
import request from 'supertest';
import { GOOD_PASSWORD, MailCatcher, registerVerified, uniqueEmail } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe('no user enumeration', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  let known: { email: string; password: string };
  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'enumeration',
      // This file mails one address more often than the default budget (3 per hour) allows.
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_PER_EMAIL_PER_HOUR: '50' },
    });
    known = await registerVerified(app.url, mail);
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  const strip = (res: request.Response) => ({
    status: res.status,
    body: res.body,
    type: res.headers['content-type'],
  });

  it.each([
    ['/auth/register', (email: string) => ({ email, password: GOOD_PASSWORD })],
    ['/auth/resend-verification', (email: string) => ({ email })],
    ['/auth/forgot-password', (email: string) => ({ email })],
  ])('%s answers known and unknown emails alike', async (path, body) => {
    const a = await request(app.url).post(path).send(body(known.email));
    const b = await request(app.url)
      .post(path)
      .send(body(uniqueEmail('nobody')));
    expect(a.status).toBe(202);
    expect(strip(a)).toEqual(strip(b));
  });

  it('login answers an unknown email exactly like a wrong password', async () => {
    const wrong = await request(app.url)
      .post('/auth/login')
      .send({ email: known.email, password: 'wrong password 123' });
    const unknown = await request(app.url)
      .post('/auth/login')
      .send({ email: uniqueEmail('ghost'), password: 'wrong password 123' });
    expect(wrong.status).toBe(401);
    expect(strip(wrong)).toEqual(strip(unknown));
    expect(wrong.body.code).toBe('invalid_credentials');
  });

  it('the owner of an existing account is told someone tried to register it', async () => {
    const before = mail.mails.filter((m) => m.envelopeTo.includes(known.email)).length;
    await request(app.url)
      .post('/auth/register')
      .send({ email: known.email, password: GOOD_PASSWORD })
      .expect(202);
    await mail.waitForCount(mail.mails.length);
    const until = Date.now() + 3000;
    while (
      mail.mails.filter((m) => m.envelopeTo.includes(known.email)).length === before &&
      Date.now() < until
    ) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const notices = mail.mails.filter((m) => m.envelopeTo.includes(known.email));
    expect(notices.length).toBe(before + 1);
    expect(notices.at(-1)!.text).not.toMatch(/verify-email\?token=/);
  });
});
