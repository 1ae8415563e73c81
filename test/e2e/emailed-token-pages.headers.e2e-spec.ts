/**
 * Attack: the token in an emailed link leaks from the page it opens. A shared or proxy cache
 * keeps the page (and so its URL with the token) for the next visitor; the Referer header of
 * any request the page makes carries the URL to a third party; an injected `<base>` tag
 * redirects the page's relative form action or script to an attacker's origin; a plugin
 * `<object>` runs outside the page's policy; a framing site clickjacks the confirmation.
 * So the pages reached through an emailed token (GET /auth/verify-email and the web UI's
 * /reset-password) answer `Cache-Control: no-store`, `Referrer-Policy: no-referrer` and a
 * Content-Security-Policy with `base-uri 'none'`, `object-src 'none'` and
 * `frame-ancestors 'none'`, whatever the outcome (valid, used or unknown token).
 */
import request from 'supertest';
import { GOOD_PASSWORD, MailCatcher, mailedToken, uniqueEmail } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

function expectTokenPageHeaders(res: request.Response): void {
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.headers['referrer-policy']).toBe('no-referrer');
  const csp: string = res.headers['content-security-policy'] ?? '';
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
  expect(directives.get('base-uri')).toBe("'none'");
  expect(directives.get('object-src')).toBe("'none'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
}

describe('pages reached through an emailed token', () => {
  const mail = new MailCatcher();
  let app: TestApp;

  beforeAll(async () => {
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'token_pages',
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp}` },
    });
  });
  afterAll(async () => {
    await app?.close();
    await mail.stop();
  });

  it('GET /auth/verify-email: no-store, no-referrer and a strict CSP, for a live or an unknown token', async () => {
    const email = uniqueEmail('page');
    await request(app.url)
      .post('/auth/register')
      .send({ email, password: GOOD_PASSWORD })
      .expect(202);
    const token = await mailedToken(mail, email, 'verify-email');

    for (const t of [token, 'unknown-token-value']) {
      const page = await request(app.url)
        .get('/auth/verify-email')
        .query({ token: t })
        .set('Accept', 'text/html');
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expectTokenPageHeaders(page);
    }
    // A client asking for JSON gets the same protection.
    const json = await request(app.url)
      .get('/auth/verify-email')
      .query({ token: 'unknown-token-value' })
      .set('Accept', 'application/json');
    expectTokenPageHeaders(json);
  });

  it('GET /reset-password (web UI): no-store, no-referrer and a strict CSP', async () => {
    const page = await request(app.url)
      .get('/reset-password')
      .query({ token: 'a-reset-token-from-a-mail' })
      .expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expectTokenPageHeaders(page);
  });
});
