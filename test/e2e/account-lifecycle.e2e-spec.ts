/**
 * The account flows of API.md end to end, on the real app with a real SMTP server on
 * loopback: register → verification mail → verify (link and POST) → login → /auth/me →
 * change password → forgot → reset mail → reset → login with the new password. Bad paths
 * answer the documented problem codes, and a failed request writes nothing.
 */
import request from 'supertest';
import {
  GOOD_PASSWORD,
  login,
  MailCatcher,
  mailedToken,
  registerVerified,
  uniqueEmail,
} from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe('account lifecycle', () => {
  let app: TestApp;
  const mail = new MailCatcher();

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'account_lifecycle',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, APP_URL: 'https://id.example.test' },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  it('registers, verifies by the emailed link, logs in and reads /auth/me', async () => {
    const email = uniqueEmail('alice');
    const reg = await request(app.url)
      .post('/auth/register')
      .send({ email, password: GOOD_PASSWORD, name: 'Alice' });
    expect(reg.status).toBe(202);
    expect(reg.body).toEqual({ status: 'verification_sent' });

    // Not verified yet: the right password answers email_not_verified, a wrong one does not.
    const early = await request(app.url)
      .post('/auth/login')
      .send({ email, password: GOOD_PASSWORD });
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('email_not_verified');
    const wrong = await request(app.url)
      .post('/auth/login')
      .send({ email, password: 'not the password 1' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');

    // The link comes from APP_URL, never from the Host header.
    const token = await mailedToken(mail, email, 'verify-email');
    const message = mail.mails.find((m) => m.envelopeTo.includes(email))!;
    expect(message.text).toContain('https://id.example.test/auth/verify-email?token=');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);

    // Opening the link shows a page that asks for the password; it verifies nothing.
    for (let i = 0; i < 2; i++) {
      const page = await request(app.url)
        .get(`/auth/verify-email?token=${token}`)
        .set('Accept', 'text/html');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.text).toMatch(/type="password"/);
    }
    await request(app.url).head(`/auth/verify-email?token=${token}`).expect(200);
    const still = await request(app.url)
      .post('/auth/login')
      .send({ email, password: GOOD_PASSWORD });
    expect(still.body.code).toBe('email_not_verified');
    const verified = await request(app.url)
      .post('/auth/verify-email')
      .send({ token, password: GOOD_PASSWORD });
    expect(verified.body).toEqual({ status: 'verified' });
    // Single use: the same link is now token_invalid, as a page and as JSON.
    const again = await request(app.url).get(`/auth/verify-email?token=${token}`);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('token_invalid');
    const againPage = await request(app.url)
      .get(`/auth/verify-email?token=${token}`)
      .set('Accept', 'text/html');
    expect(againPage.status).toBe(400);

    const session = await login(app.url, { email, password: GOOD_PASSWORD }, 'laptop');
    const me = await request(app.url)
      .get('/auth/me')
      .set('Authorization', `Bearer ${session.accessToken}`);
    expect(me.status).toBe(200);
    expect(me.headers['cache-control']).toBe('no-store');
    expect(me.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email,
      name: 'Alice',
      email_verified: true,
      mfa_enabled: false,
      roles: ['user'],
      permissions: [],
      created_at: expect.any(String),
    });
  });

  it('answers the token pair exactly as API.md puts it', async () => {
    const creds = await registerVerified(app.url, mail);
    const res = await request(app.url).post('/auth/login').send(creds);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
      token_type: 'Bearer',
      expires_in: 600,
      refresh_expires_in: expect.any(Number),
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(res.body.refresh_expires_in).toBeGreaterThan(2_592_000 - 10);
    expect(res.body.refresh_expires_in).toBeLessThanOrEqual(2_592_000);
  });

  it("verifies by POST with the registrant's password; refuses unknown tokens and wrong passwords", async () => {
    const email = uniqueEmail('bob');
    await request(app.url)
      .post('/auth/register')
      .send({ email, password: GOOD_PASSWORD })
      .expect(202);
    const token = await mailedToken(mail, email, 'verify-email');
    const unknown = await request(app.url)
      .post('/auth/verify-email')
      .send({ token: 'x'.repeat(43), password: GOOD_PASSWORD });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('token_invalid');
    const noPassword = await request(app.url).post('/auth/verify-email').send({ token });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.code).toBe('validation_failed');
    const wrong = await request(app.url)
      .post('/auth/verify-email')
      .send({ token, password: 'not the password 1' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const ok = await request(app.url)
      .post('/auth/verify-email')
      .send({ token, password: GOOD_PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ status: 'verified' });
    const reused = await request(app.url)
      .post('/auth/verify-email')
      .send({ token, password: GOOD_PASSWORD });
    expect(reused.body.code).toBe('token_invalid');
  });

  it('refuses weak passwords with the reasons, and extra fields', async () => {
    const weak = await request(app.url)
      .post('/auth/register')
      .send({ email: uniqueEmail(), password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(weak.body.code).toBe('weak_password');
    expect(weak.body.errors).toEqual([{ field: 'password', message: expect.stringMatching(/12/) }]);

    const email = uniqueEmail('eve');
    const mine = await request(app.url)
      .post('/auth/register')
      .send({ email, password: `${email.split('@')[0]}-and-more` });
    expect(mine.body.code).toBe('weak_password');

    for (const extra of [{ roles: ['admin'] }, { email_verified: true }, { id: 'x' }]) {
      const res = await request(app.url)
        .post('/auth/register')
        .send({ email: uniqueEmail(), password: GOOD_PASSWORD, ...extra });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
      expect(res.body.errors).toEqual([
        { field: Object.keys(extra)[0], message: expect.any(String) },
      ]);
    }

    for (const bad of ['no-at-sign', 'a@b@c.io', `${'a'.repeat(250)}@x.io`, 'tab\t@x.io']) {
      const res = await request(app.url)
        .post('/auth/register')
        .send({ email: bad, password: GOOD_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('validation_failed');
    }
  });

  it('changes the password: wrong current refused, other sessions revoked, current kept', async () => {
    const creds = await registerVerified(app.url, mail);
    const current = await login(app.url, creds, 'phone');
    const other = await login(app.url, creds, 'tablet');
    const auth = { Authorization: `Bearer ${current.accessToken}` };

    const wrong = await request(app.url)
      .post('/auth/change-password')
      .set(auth)
      .send({ current_password: 'definitely not it', new_password: 'a brand new passphrase 7' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    const weak = await request(app.url)
      .post('/auth/change-password')
      .set(auth)
      .send({ current_password: creds.password, new_password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('weak_password');
    expect(weak.body.errors[0].field).toBe('new_password');

    await request(app.url)
      .post('/auth/change-password')
      .set(auth)
      .send({ current_password: creds.password, new_password: 'a brand new passphrase 7' })
      .expect(204);
    await request(app.url).get('/auth/me').set(auth).expect(200);
    await request(app.url)
      .get('/auth/me')
      .set('Authorization', `Bearer ${other.accessToken}`)
      .expect(401);
    const refreshOther = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: other.refreshToken });
    expect(refreshOther.body.code).toBe('refresh_invalid');
    await request(app.url).post('/auth/login').send(creds).expect(401);
    await login(app.url, { email: creds.email, password: 'a brand new passphrase 7' });
  });

  it('resets a forgotten password through the emailed link and revokes every session', async () => {
    const creds = await registerVerified(app.url, mail);
    const before = await login(app.url, creds);
    const forgot = await request(app.url)
      .post('/auth/forgot-password')
      .send({ email: creds.email });
    expect(forgot.status).toBe(202);
    const token = await mailedToken(mail, creds.email, 'reset-password');
    const link = mail.mails.find(
      (m) => m.text.includes(`reset-password?token=`) && m.envelopeTo.includes(creds.email),
    )!;
    expect(link.text).toContain('https://id.example.test/reset-password?token=');

    const weak = await request(app.url)
      .post('/auth/reset-password')
      .send({ token, new_password: 'short' });
    expect(weak.body.code).toBe('weak_password');
    expect(weak.body.errors[0].field).toBe('new_password');
    // A weak attempt does not burn the token.
    await request(app.url)
      .post('/auth/reset-password')
      .send({ token, new_password: 'reset to something long 9' })
      .expect(204);
    const reused = await request(app.url)
      .post('/auth/reset-password')
      .send({ token, new_password: 'reset to something long 10' });
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('token_invalid');

    await request(app.url)
      .get('/auth/me')
      .set('Authorization', `Bearer ${before.accessToken}`)
      .expect(401);
    const refresh = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: before.refreshToken });
    expect(refresh.body.code).toBe('refresh_invalid');
    await login(app.url, { email: creds.email, password: 'reset to something long 9' });
  });

  it('treats emails case- and width-insensitively', async () => {
    const local = `carol${Date.now()}`;
    const creds = await registerVerified(app.url, mail, `${local}@example.test`);
    // Fullwidth letters normalise (NFKC) to the same address; case and spaces do not matter.
    const fullwidth = `  ${local.toUpperCase()}@ＥＸＡＭＰＬＥ.test `.trim();
    await login(app.url, { email: fullwidth, password: creds.password });
  });

  it('serves the reset page of the web UI that the emailed link opens', async () => {
    const page = await request(app.url).get('/reset-password?token=abc');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.text).toMatch(/<form id="reset"[ >]/);
  });
});
