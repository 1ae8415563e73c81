/**
 * A federated sign-in is bound to the browser that started it, once. The attacks:
 * - login CSRF / session fixation: an attacker starts a sign-in with their own account and
 *   gets a victim's browser to open the callback URL (their code and state): the victim would
 *   be signed in as the attacker. The callback's `state` must equal the one sealed in this
 *   browser's `__Host-oidc_state` cookie;
 * - replay: the same callback URL (and even a stolen copy of the cookie) presented again;
 * - forged, altered or expired state cookies, or one sealed for another provider;
 * - an open redirector: `redirect_to` pointing anywhere but APP_URL or an allowed origin
 *   would carry the sign-in code to a stranger;
 * - probing providers that are not configured.
 * Every failure after the start lands on a return address as `?error=oidc_failed`, never as
 * a 500, and the sign-in domain never sees a profile.
 */
import request from 'supertest';
import { ManualClock } from '../support/clock';
import { OidcProviderStandIn } from '../support/oidc-provider';
import {
  CLIENT_APP,
  expectNoServerError,
  type FederationApp,
  landing,
  signIn,
  startFederationApp,
  startUrl,
  TestBrowser,
  untilCallback,
} from './federation.fixtures';

const STATE_COOKIE = '__Host-oidc_state';

describe('federated sign-in state binding', () => {
  let idp: OidcProviderStandIn;
  let app: FederationApp;
  const clock = new ManualClock();

  beforeAll(async () => {
    idp = await OidcProviderStandIn.start();
    app = await startFederationApp(
      'oidc_state_binding',
      { ...idp.googleEnv(), ...idp.genericEnv('corp') },
      { clock },
    );
  });
  afterAll(async () => {
    await app?.close();
    await idp?.stop();
  });
  beforeEach(() => {
    idp.reset();
    app.handler.reset();
  });

  /** Opens `callback` in `browser` and returns where it sent the browser. */
  async function visit(browser: TestBrowser, callback: URL | string) {
    const step = await browser.get(String(callback));
    expect(step.status).toBe(302);
    return { step, to: new URL(step.location!) };
  }

  it('keeps the attempt in a 10-minute HttpOnly, Secure, SameSite=Lax __Host- cookie', async () => {
    const step = await new TestBrowser().get(startUrl(app, 'google'));
    const line = step.setCookies.find((c) => c.startsWith(`${STATE_COOKIE}=`))!;
    expect(line).toBeDefined();
    const attributes = line.split(';').map((a) => a.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['max-age=600', 'path=/', 'httponly', 'secure', 'samesite=lax']),
    );
    expect(attributes.some((a) => a.startsWith('domain='))).toBe(false);
  });

  it('clears the cookie at the callback, whatever the outcome', async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    const stolen = { ...browser.cookies(app.url) };
    const { step } = await visit(browser, callback);
    expect(step.setCookies.find((c) => c.startsWith(`${STATE_COOKIE}=;`))).toMatch(
      /Expires=Thu, 01 Jan 1970/,
    );
    expect(browser.cookies(app.url)[STATE_COOKIE]).toBeUndefined();
    // A failing callback (here a replay with a copy of the cookie) clears it as well.
    const thief = new TestBrowser();
    Object.assign(thief.cookies(app.url), stolen);
    const failed = await visit(thief, callback);
    expect(failed.to.searchParams.get('error')).toBe('oidc_failed');
    expect(thief.cookies(app.url)[STATE_COOKIE]).toBeUndefined();
  });

  it('refuses a callback opened in another browser (login CSRF)', async () => {
    const attacker = new TestBrowser();
    const victim = new TestBrowser();
    const attackersCallback = await untilCallback(attacker, app, 'google');
    // The victim has a sign-in of their own under way, and one without any.
    await victim.get(startUrl(app, 'google', { redirect_to: `${CLIENT_APP}/victim` }));
    const withOwnAttempt = await visit(victim, attackersCallback);
    expect(withOwnAttempt.to.href).toBe(`${CLIENT_APP}/victim?error=oidc_failed`);
    const withNone = await visit(new TestBrowser(), attackersCallback);
    expect(withNone.to.href).toBe(`${app.url}/?error=oidc_failed`);
    expect(app.handler.handled).toEqual([]);
    expect(app.handler.failures.map((f) => f.reason)).toEqual(['state_mismatch', 'state_missing']);
    // The attacker's own browser could still finish: nothing above was the attacker's state.
    const own = await visit(attacker, attackersCallback);
    expect(own.to.searchParams.get('code')).toBe(app.handler.codes[0]);
  });

  it('refuses a replayed callback, with or without a copy of the cookie', async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    const stolen = { ...browser.cookies(app.url) };
    const first = await visit(browser, callback);
    expect(first.to.searchParams.get('code')).toBeTruthy();

    const again = await visit(browser, callback);
    expect(again.to.href).toBe(`${app.url}/?error=oidc_failed`);

    const thief = new TestBrowser();
    Object.assign(thief.cookies(app.url), stolen);
    const replay = await visit(thief, callback);
    expect(replay.to.href).toBe(`${CLIENT_APP}/signed-in?error=oidc_failed`);

    expect(app.handler.handled).toHaveLength(1);
    expect(app.handler.failures.map((f) => f.reason)).toEqual(['state_missing', 'state_replayed']);
  });

  it('refuses an altered state cookie', async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    const jar = browser.cookies(app.url);
    const value = jar[STATE_COOKIE]!;
    const i = value.length - 5;
    jar[STATE_COOKIE] = value.slice(0, i) + (value[i] === 'A' ? 'B' : 'A') + value.slice(i + 1);
    const { to } = await visit(browser, callback);
    expect(to.href).toBe(`${app.url}/?error=oidc_failed`);
    expect(app.handler.failures.map((f) => f.reason)).toEqual(['state_invalid']);
  });

  it("refuses one provider's state cookie at another provider's callback", async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    const tokenRequestsBefore = idp.tokenRequests.length;
    const elsewhere = new URL(callback.href.replace('/auth/oidc/google/', '/auth/oidc/corp/'));
    const { to } = await visit(browser, elsewhere);
    expect(to.searchParams.get('error')).toBe('oidc_failed');
    expect(app.handler.failures).toMatchObject([{ provider: 'corp', reason: 'state_invalid' }]);
    expect(idp.tokenRequests).toHaveLength(tokenRequestsBefore);
  });

  it('refuses a callback that comes more than 10 minutes after the start', async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    clock.advance(600);
    try {
      const { to } = await visit(browser, callback);
      expect(to.href).toBe(`${app.url}/?error=oidc_failed`);
    } finally {
      clock.advance(-600);
    }
    expect(app.handler.failures.map((f) => f.reason)).toEqual(['state_expired']);
    expect(app.handler.handled).toEqual([]);
  });

  it('refuses a callback without state or without code, and never restarts the sign-in', async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    const noState = new URL(callback);
    noState.searchParams.delete('state');
    expect((await visit(browser, noState)).to.searchParams.get('error')).toBe('oidc_failed');

    const second = new TestBrowser();
    const other = await untilCallback(second, app, 'google');
    other.searchParams.delete('code');
    const { to } = await visit(second, other);
    expect(to.origin).toBe(CLIENT_APP);
    expect(to.searchParams.get('error')).toBe('oidc_failed');
    expect(app.handler.failures.map((f) => f.reason)).toEqual(['state_mismatch', 'code_missing']);
  });

  it('takes a repeated state parameter for none', async () => {
    const browser = new TestBrowser();
    const callback = await untilCallback(browser, app, 'google');
    const doubled = new URL(callback);
    doubled.searchParams.append('state', 'attacker-state');
    const { to } = await visit(browser, doubled);
    expect(to.searchParams.get('error')).toBe('oidc_failed');
    expect(app.handler.failures.map((f) => f.reason)).toEqual(['state_mismatch']);
  });

  it.each([
    'https://evil.example/steal',
    '//evil.example/steal',
    '/\\evil.example/steal',
    `${CLIENT_APP}.evil.example/steal`,
    `${CLIENT_APP.replace('//', '//user@')}/x`,
    'http://client.example.test@evil.example/',
    'javascript:alert(document.cookie)',
    'data:text/html,hi',
    `http://127.0.0.1:1/`,
  ])('refuses redirect_to=%s with 400 redirect_not_allowed', async (target) => {
    const res = await request(app.url).get('/auth/oidc/google').query({ redirect_to: target });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('redirect_not_allowed');
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.headers.location).toBeUndefined();
  });

  it('returns to APP_URL, a path on it, or an allowed origin', async () => {
    const to = async (redirect_to?: string) => {
      const nav = await signIn(new TestBrowser(), app, 'google', { redirect_to });
      expectNoServerError(nav);
      return nav;
    };
    expect((await to(`${CLIENT_APP}/done`)).final.href).toMatch(
      new RegExp(`^${CLIENT_APP}/done\\?code=`),
    );
    // APP_URL's own pages are not a separate app: the browser lands there.
    for (const [target, expected] of [
      [undefined, `${app.url}/?code=`],
      ['/account?tab=security', `${app.url}/account?tab=security&code=`],
    ] as const) {
      const browser = new TestBrowser();
      const nav = await browser.navigate(startUrl(app, 'google', { redirect_to: target }), {
        stopAt: [app.url],
        maxHops: 10,
      });
      // The first stop on APP_URL is the callback; follow it once.
      const { step } = await visit(browser, nav.final);
      expect(step.location).toMatch(new RegExp(`^${expected.replace(/[?]/g, '\\?')}`));
    }
  });

  it('refuses an intent other than login or link', async () => {
    const res = await request(app.url).get('/auth/oidc/google').query({ intent: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
  });

  it('answers 404 for a provider that does not exist, at the start and the callback', async () => {
    for (const path of ['/auth/oidc/facebook', '/auth/oidc/facebook/callback?state=x&code=y']) {
      const res = await request(app.url).get(path);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });
});

describe('federated sign-in with a provider turned off', () => {
  let idp: OidcProviderStandIn;
  let app: FederationApp;
  beforeAll(async () => {
    idp = await OidcProviderStandIn.start();
    app = await startFederationApp('oidc_provider_off', {
      ...idp.googleEnv(),
      COOKIE_SECURE: 'false',
    });
  });
  afterAll(async () => {
    await app?.close();
    await idp?.stop();
  });

  it.each(['github', 'oidc'])(
    'answers 404 not_found for %s (no client id and secret)',
    async (name) => {
      for (const path of [`/auth/oidc/${name}`, `/auth/oidc/${name}/callback?state=x&code=y`]) {
        const res = await request(app.url).get(path);
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.code).toBe('not_found');
      }
    },
  );

  it('drops the __Host- prefix and Secure with COOKIE_SECURE=false, and still binds the state', async () => {
    const browser = new TestBrowser();
    const step = await browser.get(startUrl(app, 'google'));
    const line = step.setCookies.find((c) => c.startsWith('oidc_state='))!;
    expect(line).toBeDefined();
    expect(line.toLowerCase()).not.toContain('secure');
    expect(line.toLowerCase()).toContain('httponly');
    const nav = await signIn(browser, app, 'google');
    expect(landing(nav).code).toBe(app.handler.codes[0]);
    const stranger = await signIn(new TestBrowser(), app, 'google');
    expect(landing(stranger).code).toBeTruthy();
  });
});

describe('federated sign-in with no provider configured', () => {
  it('boots, and every provider name answers 404', async () => {
    const app = await startFederationApp('oidc_none', {});
    try {
      for (const name of ['google', 'github', 'oidc']) {
        const res = await request(app.url).get(`/auth/oidc/${name}`);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    } finally {
      await app.close();
    }
  });
});
