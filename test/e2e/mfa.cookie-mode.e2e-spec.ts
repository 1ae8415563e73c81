/**
 * MFA for browsers (API.md "Cookie mode"). `/auth/mfa/verify` is not cookie-authenticated (the
 * mfa_token in the body is the credential), so it needs no CSRF header, and with
 * `X-Auth-Transport: cookie` it sets the three cookies exactly like a login. The enrolment
 * routes are cookie-authenticated POSTs: without the CSRF header they answer 403 `csrf_failed`.
 */
import request from 'supertest';
import { cookieHeader, cookiesOf, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { claimsOf, codeFor, steadyStep } from './mfa.helpers';
import { ManualClock } from '../support/clock';

/** The apps' time: TOTP steps are entered by moving it, never waited for. */
const clock = new ManualClock();

describe('MFA in cookie mode', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  const names = {
    access: '__Host-access_token',
    refresh: '__Secure-refresh_token',
    csrf: '__Host-csrf_token',
  };

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      clock,
      label: 'mfa_cookies',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  it('enrols by cookie with CSRF, then completes a cookie login with the MFA step', async () => {
    const creds = await registerVerified(app.url, mail);
    const signIn = await request(app.url)
      .post('/auth/login')
      .set('X-Auth-Transport', 'cookie')
      .send(creds);
    expect(signIn.status).toBe(200);
    const { jar } = cookiesOf(signIn);
    const post = (path: string, body: object, csrf?: string) => {
      const req = request(app.url).post(path).set('Cookie', cookieHeader(jar));
      return (csrf === undefined ? req : req.set('X-CSRF-Token', csrf)).send(body);
    };

    const noCsrf = await post('/auth/mfa/totp/setup', { password: creds.password });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.code).toBe('csrf_failed');
    const setup = await post('/auth/mfa/totp/setup', { password: creds.password }, jar[names.csrf]);
    expect(setup.status).toBe(200);
    const secret = setup.body.secret as string;

    const step = await steadyStep(clock);
    const confirmNoCsrf = await post('/auth/mfa/totp/confirm', { code: codeFor(secret, step - 1) });
    expect(confirmNoCsrf.body.code).toBe('csrf_failed');
    const confirm = await post(
      '/auth/mfa/totp/confirm',
      { code: codeFor(secret, step - 1) },
      jar[names.csrf],
    );
    expect(confirm.status).toBe(200);
    expect(confirm.body.recovery_codes).toHaveLength(10);
    for (const path of ['/auth/mfa/recovery-codes', '/auth/mfa/totp/disable']) {
      const res = await post(path, { code: codeFor(secret, step) });
      expect(res.body.code).toBe('csrf_failed');
    }

    // The password step of a cookie login sets no cookies: there is no session yet.
    const first = await request(app.url)
      .post('/auth/login')
      .set('X-Auth-Transport', 'cookie')
      .send(creds);
    expect(first.status).toBe(200);
    expect(first.body.mfa_required).toBe(true);
    expect(first.headers['set-cookie']).toBeUndefined();

    // No CSRF header (and no cookies at all): the mfa_token is the credential.
    const done = await request(app.url)
      .post('/auth/mfa/verify')
      .set('X-Auth-Transport', 'cookie')
      .send({ mfa_token: first.body.mfa_token, code: codeFor(secret, step) });
    expect(done.status).toBe(200);
    expect(done.headers['cache-control']).toBe('no-store');
    expect(done.body).toEqual({
      token_type: 'Bearer',
      expires_in: 600,
      refresh_expires_in: expect.any(Number),
      session_id: expect.any(String),
    });
    const { jar: fresh, raw } = cookiesOf(done);
    const find = (name: string) => raw.find((c) => c.startsWith(`${name}=`))!;
    expect(find(names.access)).toMatch(/; HttpOnly/);
    expect(find(names.access)).toMatch(/; SameSite=Lax/);
    expect(find(names.access)).toMatch(/; Secure/);
    expect(find(names.refresh)).toMatch(/; Path=\/auth/);
    expect(find(names.csrf)).not.toMatch(/HttpOnly/);
    expect(claimsOf(fresh[names.access]!).amr).toEqual(['pwd', 'otp']);

    const me = await request(app.url).get('/auth/me').set('Cookie', cookieHeader(fresh));
    expect(me.status).toBe(200);
    expect(me.body.mfa_enabled).toBe(true);
  });
});
