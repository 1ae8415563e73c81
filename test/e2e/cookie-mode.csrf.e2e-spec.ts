/**
 * Attack: cross-site request forgery against a browser session. In cookie mode the tokens
 * live in HttpOnly cookies the page cannot read, and any state-changing request that
 * authenticates with a cookie must echo the CSRF cookie in `X-CSRF-Token`; the CSRF token is
 * signed and bound to the session, so a token of another session (or a made-up one) fails.
 */
import request from 'supertest';
import {
  cookieHeader,
  cookiesOf,
  GOOD_PASSWORD,
  MailCatcher,
  registerVerified,
} from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

describe.each([
  {
    secure: true,
    access: '__Host-access_token',
    refresh: '__Secure-refresh_token',
    csrf: '__Host-csrf_token',
  },
  { secure: false, access: 'access_token', refresh: 'refresh_token', csrf: 'csrf_token' },
])('cookie mode (COOKIE_SECURE=$secure)', (names) => {
  let app: TestApp;
  const mail = new MailCatcher();
  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: `cookies_${names.secure}`,
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, COOKIE_SECURE: String(names.secure) },
    });
  });
  afterAll(async () => {
    await app.close();
    await mail.stop();
  });

  const cookieLogin = async () => {
    const creds = await registerVerified(app.url, mail);
    const res = await request(app.url)
      .post('/auth/login')
      .set('X-Auth-Transport', 'cookie')
      .send(creds);
    expect(res.status).toBe(200);
    return { res, ...cookiesOf(res) };
  };

  it('sets the three cookies with the attributes of API.md and leaves tokens out of the body', async () => {
    const { res, raw, jar } = await cookieLogin();
    expect(res.body).toEqual({
      token_type: 'Bearer',
      expires_in: 600,
      refresh_expires_in: expect.any(Number),
      session_id: expect.any(String),
    });
    const find = (name: string) => raw.find((c) => c.startsWith(`${name}=`))!;
    const secure = names.secure ? /; Secure/ : /^(?!.*; Secure)/;
    expect(find(names.access)).toMatch(/; Max-Age=600;/);
    expect(find(names.access)).toMatch(/; Path=\//);
    expect(find(names.access)).toMatch(/; HttpOnly/);
    expect(find(names.access)).toMatch(/; SameSite=Lax/);
    expect(find(names.access)).toMatch(secure);
    expect(find(names.refresh)).toMatch(/; Path=\/auth/);
    expect(find(names.refresh)).toMatch(/; HttpOnly/);
    expect(find(names.refresh)).toMatch(/; SameSite=Strict/);
    expect(find(names.refresh)).toMatch(new RegExp(`; Max-Age=${res.body.refresh_expires_in};`));
    expect(find(names.csrf)).not.toMatch(/HttpOnly/);
    expect(find(names.csrf)).toMatch(/; SameSite=Strict/);
    expect(jar[names.csrf]).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('authenticates GETs by cookie; state changes need the CSRF header', async () => {
    const { jar } = await cookieLogin();
    await request(app.url).get('/auth/me').set('Cookie', cookieHeader(jar)).expect(200);

    const change = (csrf?: string) => {
      const req = request(app.url).post('/auth/change-password').set('Cookie', cookieHeader(jar));
      return (csrf === undefined ? req : req.set('X-CSRF-Token', csrf)).send({
        current_password: GOOD_PASSWORD,
        new_password: 'cookie mode passphrase 11',
      });
    };
    const none = await change();
    expect(none.status).toBe(403);
    expect(none.body.code).toBe('csrf_failed');
    expect((await change('forged')).body.code).toBe('csrf_failed');

    // A well-signed CSRF token of another session does not pass either.
    const other = await cookieLogin();
    expect((await change(other.jar[names.csrf])).body.code).toBe('csrf_failed');

    await change(jar[names.csrf]).expect(204);
  });

  it('refresh and logout by cookie need the CSRF header; logout clears the cookies', async () => {
    const { jar } = await cookieLogin();
    const noCsrf = await request(app.url)
      .post('/auth/refresh')
      .set('X-Auth-Transport', 'cookie')
      .set('Cookie', cookieHeader(jar));
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.code).toBe('csrf_failed');

    const refreshed = await request(app.url)
      .post('/auth/refresh')
      .set('X-Auth-Transport', 'cookie')
      .set('Cookie', cookieHeader(jar))
      .set('X-CSRF-Token', jar[names.csrf]!);
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).toBeUndefined();
    const next = { ...jar, ...cookiesOf(refreshed).jar };
    expect(next[names.refresh]).not.toBe(jar[names.refresh]);

    const noCsrfLogout = await request(app.url)
      .post('/auth/logout')
      .set('Cookie', cookieHeader(next));
    expect(noCsrfLogout.body.code).toBe('csrf_failed');
    const out = await request(app.url)
      .post('/auth/logout')
      .set('Cookie', cookieHeader(next))
      .set('X-CSRF-Token', next[names.csrf]!);
    expect(out.status).toBe(204);
    const cleared = cookiesOf(out).raw;
    for (const name of [names.access, names.refresh, names.csrf]) {
      expect(cleared.find((c) => c.startsWith(`${name}=`))).toMatch(/Expires=Thu, 01 Jan 1970/);
    }
    await request(app.url).get('/auth/me').set('Cookie', cookieHeader(next)).expect(401);
  });

  it('Bearer requests need no CSRF header', async () => {
    const creds = await registerVerified(app.url, mail);
    const res = await request(app.url).post('/auth/login').send(creds);
    await request(app.url)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${res.body.access_token}`)
      .expect(204);
  });
});
