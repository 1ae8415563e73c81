/**
 * `npm start` with no configuration at all, used in a browser at the address it prints. The
 * failure this guards against: the page's origin (http://127.0.0.1:<port>) is not APP_URL's
 * (the documented default, http://localhost:3000, which is also the default issuer and so
 * cannot follow the port), the socket.io handshake refused the page's own origin, and a
 * device signed out from another never heard it. Now the handshake admits the page's own
 * origin, and the revocation push reaches the other device's page within a second. Run as a
 * real process (embedded PGlite, in-memory kv, mail in the log), driven in real Chromium, on
 * a free port: so the banner says APP_URL is not the listen address, and the emailed link
 * is opened at the address the server listens on, as its developer would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { GOOD_PASSWORD, freePort, uniqueEmail } from '@identity/testing';
import { launchBrowser, newContext } from '../support/chromium-browser';
import { type IdentityProcess, spawnIdentity, waitForHttp } from '../support/process';

describe('pure defaults in a browser: the revocation push reaches the page', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-pure-defaults-'));
  let proc: IdentityProcess | undefined;
  let browser: Browser | undefined;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    // Nothing but ports and the data directory: no APP_URL, no CORS_ORIGINS, no SMTP.
    proc = spawnIdentity({
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    await waitForHttp(`${url}/healthz`, proc, 90_000);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (proc) {
      proc.child.kill('SIGTERM');
      await proc.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The token of the verification mail to `email`, from the log (no SMTP_URL). */
  async function loggedVerificationLink(email: string): Promise<string> {
    const until = Date.now() + 20_000;
    const pattern = new RegExp(
      `To: ${email.replace(/[.+]/g, '\\$&')}[\\s\\S]*?(https?://[^\\s"\\\\]+/auth/verify-email\\?token=[A-Za-z0-9_-]+)`,
    );
    for (;;) {
      const match = pattern.exec(proc!.stdout());
      if (match) return match[1]!;
      if (Date.now() > until) throw new Error(`no verification mail for ${email} in the log`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function signIn(page: Page, email: string): Promise<void> {
    await page.goto(`${url}/`);
    await page.fill('#login-email', email);
    await page.fill('#login-password', GOOD_PASSWORD);
    await page.click('#login button[type="submit"]');
    await page.waitForURL(`${url}/account`);
    await page.locator('main:not([aria-busy])').waitFor();
  }

  it('mails links to APP_URL, and a device signed out elsewhere lands on sign-in within 1 s', async () => {
    expect(proc!.stdout()).toContain(`listening on ${url}`);
    expect(proc!.stdout()).toContain(
      `WARNING: APP_URL is http://localhost:3000, but the server listens on ${url}`,
    );

    const email = uniqueEmail('pure');
    const registered = await fetch(`${url}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: GOOD_PASSWORD }),
    });
    expect(registered.status).toBe(202);
    const link = new URL(await loggedVerificationLink(email));
    expect(link.origin).toBe('http://localhost:3000');
    expect(link.pathname).toBe('/auth/verify-email');

    // The link's page, at this server's address, in the browser.
    const laptop = await (await newContext(browser!)).newPage();
    await laptop.goto(`${url}${link.pathname}${link.search}`);
    await laptop.fill('#verify-password', GOOD_PASSWORD);
    await laptop.click('#verify button[type="submit"]');
    await laptop.locator('#verify-msg.ok').waitFor();

    const phone = await (await newContext(browser!)).newPage();
    await signIn(phone, email);
    await signIn(laptop, email);
    // Timed from the server's answer to the revocation (not from the click).
    const [revoked] = await Promise.all([
      laptop.waitForResponse(
        (r) => r.request().method() === 'DELETE' && r.url().includes('/auth/sessions/'),
      ),
      laptop.locator('#sessions li:not([data-current]) button').click(),
    ]);
    expect(revoked.status()).toBe(204);
    const since = Date.now();
    await phone.waitForURL(`${url}/`, { waitUntil: 'commit' });
    const notice = phone.locator('#notice:not([hidden])');
    await notice.waitFor();
    expect(Date.now() - since).toBeLessThan(1_000);
    expect(await notice.textContent()).toContain('signed out from another device');
  }, 120_000);
});
