/**
 * "Continue with Google" end to end against a real OpenID Connect stand-in (the GOOGLE_*
 * endpoint settings point at it): the authorization request carries state, PKCE S256 and a
 * nonce; the callback exchanges the code with the verifier and holds the ID token to
 * signature, `iss`, `aud`, `nonce` and `exp` before the profile reaches the sign-in domain.
 * Attacks covered: an ID token minted for another client (wrong `aud`), by another issuer,
 * replayed from another sign-in (wrong `nonce`), forged (bad signature) or stale; a provider
 * that is down or hangs. Each lands on redirect_to as `?error=...`, never as a 500.
 */
import { createHash } from 'node:crypto';
import { OidcProviderStandIn } from '../support/oidc-provider';
import { freePort } from '../support/ports';
import {
  CLIENT_APP,
  expectNoServerError,
  type FederationApp,
  landing,
  PROVIDER_TIMEOUT_MS,
  signIn,
  startFederationApp,
  signedInBrowser,
  startUrl,
  TestBrowser,
} from './federation.fixtures';

describe('Google sign-in', () => {
  let google: OidcProviderStandIn;
  let app: FederationApp;

  beforeAll(async () => {
    google = await OidcProviderStandIn.start();
    app = await startFederationApp('oidc_google', google.googleEnv('google-client'));
  });
  afterAll(async () => {
    await app?.close();
    await google?.stop();
  });
  beforeEach(() => {
    google.reset();
    google.user = {
      sub: 'g-1001',
      email: 'ada@example.com',
      email_verified: true,
      name: 'Ada Lovelace',
    };
    app.handler.reset();
  });

  it('sends the browser to Google with state, PKCE S256, a nonce and the openid scopes', async () => {
    const browser = new TestBrowser();
    const step = await browser.get(startUrl(app, 'google'));
    expect(step.status).toBe(302);
    const to = new URL(step.location!);
    expect(`${to.origin}${to.pathname}`).toBe(google.url('authorize'));
    const q = to.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe('google-client');
    expect(q.get('redirect_uri')).toBe(`${app.url}/auth/oidc/google/callback`);
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The verifier, nonce and state travel only sealed, in the cookie.
    const cookie = step.setCookies.find((c) => c.startsWith('__Host-oidc_state='))!;
    expect(cookie).toBeDefined();
    for (const secret of [q.get('state')!, q.get('nonce')!]) expect(cookie).not.toContain(secret);
  });

  it('hands the verified profile to the sign-in domain and returns its code to redirect_to', async () => {
    const { browser, user } = await signedInBrowser(app);
    const nav = await signIn(browser, app, 'google', {
      redirect_to: `${CLIENT_APP}/signed-in?from=menu`,
      intent: 'link',
    });
    expectNoServerError(nav);
    const { code, error, url } = landing(nav);
    expect(error).toBeNull();
    expect(code).toBe(app.handler.codes[0]);
    expect(`${url.origin}${url.pathname}`).toBe(`${CLIENT_APP}/signed-in`);
    expect(url.searchParams.get('from')).toBe('menu');
    expect(app.handler.handled).toHaveLength(1);
    expect(app.handler.handled[0]).toMatchObject({
      profile: {
        provider: 'google',
        subject: 'g-1001',
        email: 'ada@example.com',
        emailVerified: true,
        name: 'Ada Lovelace',
      },
      intent: 'link',
      accountId: user.id,
      client: { ip: expect.any(String) },
    });
    // The code was exchanged with the verifier whose S256 challenge went out.
    const authorize = google.authorizationRequests.at(-1)!;
    const token = google.tokenRequests.at(-1)!;
    expect(token.get('grant_type')).toBe('authorization_code');
    expect(createHash('sha256').update(token.get('code_verifier')!).digest('base64url')).toBe(
      authorize.get('code_challenge'),
    );
    expect(token.get('redirect_uri')).toBe(`${app.url}/auth/oidc/google/callback`);
    // Nothing of the round trip reaches the logs: no email, code, state, nonce or cookie.
    const logs = app.app.logs.join('\n');
    const secrets = [
      'ada@example.com',
      code!,
      authorize.get('state')!,
      authorize.get('nonce')!,
      token.get('code')!,
      token.get('code_verifier')!,
      nav.steps[0]!.setCookies[0]!.split(';')[0]!.slice('__Host-oidc_state='.length),
    ];
    for (const secret of secrets) expect(logs).not.toContain(secret);
  });

  it('passes email_verified=false on, and the domain refuses it as oidc_email_unverified', async () => {
    google.user = { sub: 'g-1002', email: 'bob@example.com', email_verified: false, name: 'Bob' };
    const nav = await signIn(new TestBrowser(), app, 'google');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_email_unverified' });
    expect(app.handler.handled.map((h) => h.profile)).toEqual([
      {
        provider: 'google',
        subject: 'g-1002',
        email: 'bob@example.com',
        emailVerified: false,
        name: 'Bob',
      },
    ]);
  });

  it('answers oidc_denied when the user declines at Google', async () => {
    google.denyNext('access_denied');
    const nav = await signIn(new TestBrowser(), app, 'google');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_denied' });
    expect(app.handler.handled).toEqual([]);
    expect(app.handler.failures).toMatchObject([
      { provider: 'google', code: 'federation.denied', reason: 'access_denied' },
    ]);
  });

  it.each([
    ['another audience', { kind: 'claims', claims: { aud: 'someone-else' } }, 'id_token_audience'],
    [
      'another issuer',
      { kind: 'claims', claims: { iss: 'https://evil.example' } },
      'id_token_issuer',
    ],
    [
      'another nonce',
      { kind: 'claims', claims: { nonce: 'replayed-from-elsewhere' } },
      'id_token_nonce',
    ],
    ['no nonce', { kind: 'omit_claims', claims: ['nonce'] }, 'id_token_nonce'],
    ['a bad signature', { kind: 'bad_signature' }, 'id_token_signature'],
    [
      'an expiry in the past',
      { kind: 'claims', claims: { iat: now() - 3600, exp: now() - 600 } },
      'id_token_expired',
    ],
  ] as const)('refuses an ID token with %s (oidc_failed)', async (_what, tamper, reason) => {
    google.tamperNextIdToken(tamper);
    const nav = await signIn(new TestBrowser(), app, 'google');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_failed' });
    expect(app.handler.handled).toEqual([]);
    expect(app.handler.failures).toMatchObject([{ provider: 'google', reason }]);
  });

  it('answers oidc_failed when the code exchange is refused', async () => {
    google.failNextTokenRequest(400, { error: 'invalid_grant' });
    const nav = await signIn(new TestBrowser(), app, 'google');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'code_exchange_failed' }]);
  });

  it('gives up on a token endpoint slower than the timeout (oidc_failed)', async () => {
    google.delay('token', PROVIDER_TIMEOUT_MS * 3);
    const started = Date.now();
    const nav = await signIn(new TestBrowser(), app, 'google');
    expect(Date.now() - started).toBeLessThan(PROVIDER_TIMEOUT_MS * 3);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'provider_timeout' }]);
  });
});

describe('Google sign-in while Google is down or hangs', () => {
  let google: OidcProviderStandIn;
  beforeAll(async () => {
    google = await OidcProviderStandIn.start();
  });
  afterAll(() => google.stop());

  it('lands as oidc_failed when the token endpoint cannot be reached', async () => {
    // A port where nothing listens: the browser still gets through the stand-in's
    // authorization page; the callback's code exchange finds no one.
    const dead = `http://127.0.0.1:${await freePort()}`;
    const app = await startFederationApp('oidc_google_down', {
      ...google.googleEnv(),
      GOOGLE_TOKEN_URL: `${dead}/token`,
    });
    try {
      const nav = await signIn(new TestBrowser(), app, 'google');
      expectNoServerError(nav);
      expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
      expect(app.handler.failures).toMatchObject([{ reason: 'provider_unreachable' }]);
    } finally {
      await app.close();
    }
  });

  it('lands as oidc_failed when the key set is slower than the timeout', async () => {
    // A fresh app: its key cache is empty, so the ID token check must fetch the keys.
    const app = await startFederationApp('oidc_google_jwks_slow', google.googleEnv());
    google.delay('jwks', PROVIDER_TIMEOUT_MS * 3);
    try {
      const nav = await signIn(new TestBrowser(), app, 'google');
      expectNoServerError(nav);
      expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
      expect(app.handler.failures).toMatchObject([{ reason: 'provider_timeout' }]);
    } finally {
      google.reset();
      await app.close();
    }
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}
