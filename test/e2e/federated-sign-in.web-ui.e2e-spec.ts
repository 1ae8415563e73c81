/**
 * The web UI's federated sign-in, driven in a real headless Chromium against the Google
 * stand-in: the sign-in page shows a button for each configured provider only; clicking it
 * goes through Google and back, the page exchanges the `?code=` in cookie mode and lands on the
 * account page, which lists the linked identity and links or unlinks others. Failures come
 * back as `?error=` and are shown in plain words. Attack covered: a `?code=` planted in a link
 * (login CSRF: signing the victim's browser in to the attacker's account) is not exchanged by
 * a page that did not start the round trip.
 */
import type { Page } from 'playwright-core';
import { type ChromiumSession, launchChromium } from '../support/chromium';
import { uniqueEmail } from '../support/flows';
import { OidcProviderStandIn } from '../support/oidc-provider';
import {
  exchange,
  type FederatedApp,
  passwordAccount,
  providerCode,
  startFederatedApp,
} from './federated-accounts.fixtures';
import { TestBrowser } from './federation.fixtures';

describe('federated sign-in in the web UI (Chromium)', () => {
  let google: OidcProviderStandIn;
  let app: FederatedApp;
  let chromium: ChromiumSession;

  beforeAll(async () => {
    google = await OidcProviderStandIn.start();
    // Only Google is on: GitHub and a generic provider must not get buttons.
    app = await startFederatedApp('fed_web_ui', google.googleEnv());
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await google?.stop();
  });

  /** A new tab with no cookies: a browser that starts from nothing (sessionStorage is per tab). */
  async function freshPage(): Promise<Page> {
    await chromium.context.clearCookies();
    for (const page of chromium.context.pages()) await page.close();
    return chromium.context.newPage();
  }

  const message = (page: Page) => page.locator('#msg').textContent();

  it('signs a new user in through the Google button and shows the identity on the account page', async () => {
    const email = uniqueEmail('ui');
    google.user = { sub: 'g-ui-1', email, email_verified: true, name: 'Ui User' };
    const page = await freshPage();
    await page.goto(`${app.url}/`);
    const buttons = page.locator('#provider-buttons button');
    await buttons.first().waitFor();
    expect(await buttons.allTextContents()).toEqual(['Continue with Google']);

    await buttons.first().click();
    await page.waitForURL(`${app.url}/account`);
    await page.locator('#who').filter({ hasText: email }).waitFor();
    // The one-time code does not stay in the address bar (history, Referer).
    expect(page.url()).toBe(`${app.url}/account`);
    const identity = page.locator('#identities li[data-provider="google"]');
    await identity.waitFor();
    expect(await identity.textContent()).toContain(email);

    // The account has no password: unlinking its only sign-in is refused in plain words.
    await identity.locator('button').click();
    await page.locator('#msg.error').waitFor();
    expect(await message(page)).toContain('only way into your account');
    expect(await page.locator('#identities li').count()).toBe(1);
  });

  it('shows a failed round trip in plain words', async () => {
    google.user = { sub: 'g-ui-2', email: uniqueEmail('unvouched'), email_verified: false };
    const page = await freshPage();
    await page.goto(`${app.url}/`);
    await page.locator('#provider-buttons button').first().click();
    await page.locator('#msg.error').waitFor();
    expect(await message(page)).toContain('could not confirm that this email address is yours');
    expect(page.url()).toBe(`${app.url}/`);
  });

  it('does not exchange a code it did not ask for (planted login CSRF link)', async () => {
    google.user = { sub: 'g-ui-attacker', email: uniqueEmail('attacker'), email_verified: true };
    const planted = await providerCode(new TestBrowser(), app, 'google');
    const page = await freshPage();
    await page.goto(`${app.url}/?code=${encodeURIComponent(planted)}`);
    await page.locator('#msg.error').waitFor();
    expect(await message(page)).toContain('not started in this window');
    expect(page.url()).toBe(`${app.url}/`);
    // The page left the code alone: it was never spent.
    expect((await exchange(app, planted)).status).toBe(200);
  });

  it('offers to link Google to the account with its email, and links it once the owner signs in', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('owner') });
    google.user = { sub: 'g-ui-owner', email: owner.email, email_verified: true };
    const page = await freshPage();
    await page.goto(`${app.url}/`);
    await page.locator('#provider-buttons button').first().click();
    await page.locator('#msg.ok').waitFor();
    expect(await message(page)).toContain(`You already have an account with ${owner.email}`);
    expect(await page.locator('#login-email').inputValue()).toBe(owner.email);

    await page.locator('#login-password').fill(owner.password);
    await page.locator('#login button[type="submit"]').click();
    await page.waitForURL(`${app.url}/account`);
    await page.locator('#msg.ok').waitFor();
    expect(await message(page)).toContain('Google is linked');
    await page.locator('#identities li[data-provider="google"]').waitFor();

    // Google now signs the owner in, from a browser that never saw the password.
    const other = await freshPage();
    await other.goto(`${app.url}/`);
    await other.locator('#provider-buttons button').first().click();
    await other.waitForURL(`${app.url}/account`);
    await other.locator('#who').filter({ hasText: owner.email }).waitFor();
  });

  it('links Google from the account page of a signed-in user', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('linker') });
    google.user = { sub: 'g-ui-linker', email: uniqueEmail('their-google'), email_verified: true };
    const page = await freshPage();
    await page.goto(`${app.url}/`);
    await page.locator('#login-email').fill(owner.email);
    await page.locator('#login-password').fill(owner.password);
    await page.locator('#login button[type="submit"]').click();
    await page.waitForURL(`${app.url}/account`);

    const linkButton = page.locator('#identity-links button[data-provider="google"]');
    await linkButton.click();
    await page.waitForURL(`${app.url}/account`);
    await page.locator('#identities li[data-provider="google"]').waitFor();
    expect(await message(page)).toContain('Google is linked');
    expect(await page.locator('#identity-links button').count()).toBe(0);
  });
});
