/**
 * Attack: a session is revoked (stolen-device sign-out, "sign out everywhere", a password
 * change elsewhere) while its owner's browser sits on the account page; the page must not
 * go on showing (and acting for) a dead session. Driven in a real headless Chromium: the
 * account page loads `/sessions-socket.js` (the script built from the typed helper of
 * `@identity/sessions-socket`), which watches the session over the socket and logs out hard
 * the moment the server pushes `revoked`.
 */
import request from 'supertest';
import { REVOCATION_REASONS, SERVER_EVENTS, SESSIONS_NAMESPACE } from '@identity/sessions-socket';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { type ChromiumSession, launchChromium } from '../support/chromium';
import { freePort } from '../support/ports';

describe('the web UI logs out hard on a pushed revocation (Chromium)', () => {
  const mail = new MailCatcher();
  let app: TestApp;
  let chromium: ChromiumSession;

  beforeAll(async () => {
    const smtp = await mail.start();
    const port = await freePort();
    app = await startTestApp({
      label: 'push_web_ui',
      env: {
        PORT: String(port),
        APP_URL: `http://127.0.0.1:${port}`,
        SMTP_URL: `smtp://127.0.0.1:${smtp}`,
      },
    });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await mail.stop();
  });

  it('leaves the account page within a second of "sign out everywhere" on another device', async () => {
    const creds = await registerVerified(app.url, mail);
    const page = await chromium.context.newPage();
    await page.goto(`${app.url}/`);
    await page.locator('#login-email').fill(creds.email);
    await page.locator('#login-password').fill(creds.password);
    await page.locator('#login button[type="submit"]').click();
    await page.waitForURL(`${app.url}/account`);
    await page.locator('#who').filter({ hasText: creds.email }).waitFor();

    // The page runs the helper with the contract's own values.
    const exposed = await page.evaluate(() => {
      const s = (globalThis as unknown as { IdentitySessions: Record<string, unknown> })
        .IdentitySessions;
      return { namespace: s.NAMESPACE, events: s.EVENTS, reasons: s.REVOCATION_REASONS };
    });
    expect(exposed).toEqual({
      namespace: SESSIONS_NAMESPACE,
      events: [...SERVER_EVENTS],
      reasons: [...REVOCATION_REASONS],
    });
    // Let the socket connect (the page opens it right after rendering).
    await page.waitForFunction(() =>
      performance.getEntriesByType('resource').some((e) => e.name.includes('/socket.io/')),
    );
    await new Promise((r) => setTimeout(r, 300));

    const other = await login(app.url, creds, 'another device');
    const revokedAt = Date.now();
    await request(app.url)
      .post('/auth/logout-all')
      .set('Authorization', `Bearer ${other.accessToken}`)
      .expect(204);
    await page.waitForURL(`${app.url}/`, { timeout: 3_000 });
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
    // Hard: the access cookie is gone, the account page no longer loads for this browser.
    const cookies = await chromium.context.cookies(app.url);
    expect(cookies.find((c) => c.name.endsWith('access_token'))).toBeUndefined();
    await page.close();
  });
});
