/**
 * How the account page handles its session, in real Chromium with independent browser
 * contexts (two devices) and tabs. The attacks and failures: a device signed out elsewhere
 * keeps showing the account (so a revoked session must reach sign-in within a second, told
 * why, whether the socket or the next request finds out); tabs renewing one refresh token at
 * the same time look like theft to the server (so one tab refreshes for all); a wrong password
 * typed into a form is mistaken for a dead session (so only a 401 `unauthorized` refreshes,
 * and only a dead refresh ends the session).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startTestApp, type TestApp } from '../support/app';
import { launchBrowser, newContext } from '../support/chromium-browser';
import { ManualClock } from '../support/clock';
import { UserFactory } from '../support/factories';
import { freePort } from '../support/ports';
import { queryDb } from './mfa.helpers';

// Several browser contexts per test on a shared machine: generous, the timings are asserted.
jest.setTimeout(60_000);

describe('session handling in the account page (Chromium)', () => {
  const clock = new ManualClock();
  let app: TestApp;
  let browser: Browser;
  let url: string;
  let users: UserFactory;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    app = await startTestApp({
      label: 'web_ui_sessions',
      clock,
      env: { PORT: String(port), APP_URL: url },
    });
    users = new UserFactory(app.running.app);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await app?.close();
  });

  async function device(): Promise<BrowserContext> {
    const context = await newContext(browser);
    contexts.push(context);
    return context;
  }

  async function account(): Promise<{ email: string; password: string; id: string }> {
    const user = await users.create();
    return { email: user.email, password: user.plainPassword!, id: user.id };
  }

  /** Signs in through the sign-in page and waits for the account page to be ready. */
  async function signIn(page: Page, creds: { email: string; password: string }): Promise<void> {
    await page.goto(`${url}/`);
    await page.fill('#login-email', creds.email);
    await page.fill('#login-password', creds.password);
    await page.click('#login button[type="submit"]');
    await page.waitForURL(`${url}/account`);
    await page.locator('main:not([aria-busy])').waitFor();
  }

  async function openAccount(page: Page): Promise<void> {
    await page.goto(`${url}/account`);
    await page.locator('main:not([aria-busy])').waitFor();
  }

  /**
   * Clicks `selector` on `page` and resolves with the time the server answered the request
   * (`method` on a path starting with `path`) that the click sent: when the revocation has
   * happened. Timings are measured from there, not from the click, whose own latency (the
   * browser's actionability checks, the server's work) is not the push's.
   *
   * The request is passed on by the test itself (`route.fetch`), which sees the answer for
   * certain: a `response` event is lost when the push of that very revocation takes the page
   * to sign-in before the answer reaches it.
   */
  async function revokeBy(page: Page, selector: string, method: string, path: string) {
    const matches = (u: URL) => u.pathname.startsWith(path);
    const answered = new Promise<{ at: number; status: number }>((resolve) => {
      void page.route(matches, async (route) => {
        if (route.request().method() !== method) return route.fallback();
        const response = await route.fetch();
        const fetchedAt = Date.now();
        // The revocation's push can take the page to sign-in before its own answer arrives;
        // the route is then gone, and there is nothing left to answer. Otherwise the time is
        // when the page has its answer (the relay's own hop is not the app's latency).
        const delivered = await route.fulfill({ response }).then(
          () => true,
          () => false,
        );
        resolve({ at: delivered ? Date.now() : fetchedAt, status: response.status() });
      });
    });
    await page.click(selector);
    const { at, status } = await answered;
    await page.unroute(matches);
    expect(status).toBe(204);
    return at;
  }

  /** Resolves with the ms it took `page` to show the sign-in page with a notice saying `why`. */
  async function landsOnSignIn(page: Page, why: string, since: number): Promise<number> {
    await page.waitForURL(`${url}/`, { timeout: 5_000, waitUntil: 'commit' });
    const notice = page.locator('#notice:not([hidden])');
    await notice.waitFor({ timeout: 5_000 });
    const elapsed = Date.now() - since;
    expect(await notice.textContent()).toContain(why);
    return elapsed;
  }

  /** Counts the refresh requests the pages of `context` send from now on. */
  function countRefreshes(context: BrowserContext): () => number {
    let n = 0;
    context.on('request', (req) => {
      if (req.method() === 'POST' && new URL(req.url()).pathname === '/auth/refresh') n += 1;
    });
    return () => n;
  }

  it('another device signs this one out: it lands on sign-in within 1 s, told why', async () => {
    const creds = await account();
    const laptop = await (await device()).newPage();
    const phone = await (await device()).newPage();
    await signIn(phone, creds);
    await signIn(laptop, creds);

    const other = laptop.locator('#sessions li:not([data-current])');
    await other.waitFor();
    expect(await laptop.locator('#sessions li').first().getAttribute('data-current')).toBe('true');
    const since = await revokeBy(
      laptop,
      '#sessions li:not([data-current]) button',
      'DELETE',
      '/auth/sessions/',
    );
    const elapsed = await landsOnSignIn(
      phone,
      'This device was signed out from another device.',
      since,
    );
    expect(elapsed).toBeLessThan(1_000);

    // The phone holds no session any more; the laptop still does.
    await phone.goto(`${url}/account`);
    await phone.waitForURL(`${url}/`);
    await laptop.locator('#sessions-msg.ok').waitFor();
    expect(await laptop.locator('#sessions li').count()).toBe(1);
  });

  it('sign out everywhere asks first, then sends every device to sign-in with the reason', async () => {
    const creds = await account();
    const laptop = await (await device()).newPage();
    const tablet = await (await device()).newPage();
    await signIn(tablet, creds);
    await signIn(laptop, creds);

    await laptop.click('#logout-all');
    await laptop.locator('#logout-all-dialog[open]').waitFor();
    await laptop.click('#logout-all-cancel');
    expect(await laptop.isVisible('#logout-all-dialog')).toBe(false);
    await openAccount(tablet);

    await laptop.click('#logout-all');
    await laptop.locator('#logout-all-dialog[open]').waitFor();
    const since = await revokeBy(laptop, '#logout-all-confirm', 'POST', '/auth/logout-all');
    const [laptopMs, tabletMs] = await Promise.all([
      landsOnSignIn(laptop, 'You signed out everywhere', since),
      landsOnSignIn(tablet, 'You signed out everywhere', since),
    ]);
    expect(laptopMs).toBeLessThan(1_000);
    expect(tabletMs).toBeLessThan(1_000);
  });

  it('renews an expired access token once for all tabs, and the page carries on', async () => {
    const creds = await account();
    const context = await device();
    const first = await context.newPage();
    await signIn(first, creds);
    const second = await context.newPage();
    await openAccount(second);
    const refreshes = countRefreshes(context);

    clock.advance(700); // past ACCESS_TOKEN_TTL and its leeway: every call answers 401 unauthorized
    await Promise.all(
      [first, second].map(async (page, i) => {
        await page.fill('#profile-name', `Tab ${i + 1}`);
      }),
    );
    await Promise.all([
      first.click('#profile button[type="submit"]'),
      second.click('#profile button[type="submit"]'),
    ]);
    await Promise.all([
      first.locator('#profile-msg.ok').waitFor(),
      second.locator('#profile-msg.ok').waitFor(),
    ]);
    expect(first.url()).toBe(`${url}/account`);
    expect(second.url()).toBe(`${url}/account`);
    // One refresh for both tabs, never a reuse that would have killed the session.
    expect(refreshes()).toBe(1);
    const reused = await queryDb<{ n: number }>(
      app.db.url,
      `SELECT count(*)::int AS n FROM audit_log WHERE type = 'auth.refresh.reused' AND user_id = $1`,
      [creds.id],
    );
    expect(reused[0]!.n).toBe(0);
    await openAccount(first);
    expect(await first.locator('#who').textContent()).toContain('Tab');
  });

  it("a wrong password is the form's: no refresh, no sign-out, the field marked", async () => {
    const creds = await account();
    const page = await (await device()).newPage();
    const context = page.context();
    await signIn(page, creds);
    const refreshes = countRefreshes(context);
    await page.fill('#cur', 'not the password 11');
    await page.fill('#new', 'quartz-Lantern-58-meadow');
    await page.click('#change-password button[type="submit"]');
    await page.locator('#change-password-msg.error').waitFor();
    expect(await page.locator('#change-password-msg').textContent()).toContain('not right');
    expect(await page.getAttribute('#cur', 'aria-invalid')).toBe('true');
    expect(page.url()).toBe(`${url}/account`);
    expect(refreshes()).toBe(0);
  });

  it('without the socket, the next request finds the session dead and goes to sign-in', async () => {
    const creds = await account();
    const laptop = await (await device()).newPage();
    const quiet = await (await device()).newPage();
    // This device never hears the push: its socket connection is refused.
    await quiet.route('**/socket.io/**', (route) => route.abort());
    await signIn(quiet, creds);
    await signIn(laptop, creds);
    await laptop.locator('#sessions li:not([data-current]) button').click();
    await laptop.locator('#sessions-msg.ok').waitFor();
    await new Promise((r) => setTimeout(r, 300));
    expect(quiet.url()).toBe(`${url}/account`);

    await quiet.fill('#profile-name', 'Too late');
    const since = Date.now();
    await quiet.click('#profile button[type="submit"]');
    await landsOnSignIn(quiet, 'Your session ended', since);
  });

  it('signing out in one tab signs out the others (socket or BroadcastChannel)', async () => {
    const creds = await account();
    const context = await device();
    const first = await context.newPage();
    await signIn(first, creds);
    const second = await context.newPage();
    // Only the BroadcastChannel can tell this tab.
    await second.route('**/socket.io/**', (route) => route.abort());
    await openAccount(second);
    const third = await context.newPage();
    await openAccount(third);

    const since = await revokeBy(first, '#logout', 'POST', '/auth/logout');
    const times = await Promise.all([
      landsOnSignIn(first, 'You signed out.', since),
      landsOnSignIn(second, 'You signed out.', since),
      landsOnSignIn(third, 'You signed out.', since),
    ]);
    for (const ms of times) expect(ms).toBeLessThan(1_000);
  });
});
