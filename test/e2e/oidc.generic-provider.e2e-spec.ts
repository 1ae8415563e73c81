/**
 * The generic OpenID Connect provider (OIDC_ISSUER, served under OIDC_NAME) end to end
 * against a real provider stand-in: discovery, authorization with state, PKCE S256 and a
 * nonce, the code grant, and the ID token held to its signature (JWKS), `iss`, `aud`,
 * `nonce` and `exp`. Attacks covered: ID tokens for another client, from another issuer,
 * replayed from another sign-in, forged or stale; a provider that is down or hangs. Each
 * lands on redirect_to as `?error=...`, never as a 500.
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
  startUrl,
  TestBrowser,
} from './federation.fixtures';

const NAME = 'corp';

describe('generic OIDC sign-in', () => {
  let idp: OidcProviderStandIn;
  let app: FederationApp;

  beforeAll(async () => {
    idp = await OidcProviderStandIn.start();
    app = await startFederationApp('oidc_generic', idp.genericEnv(NAME, 'corp-client'));
  });
  afterAll(async () => {
    await app?.close();
    await idp?.stop();
  });
  beforeEach(() => {
    idp.reset();
    idp.user = { sub: 'corp|77', email: 'grace@corp.example', email_verified: true, name: 'Grace' };
    app.handler.reset();
  });

  it('is served under OIDC_NAME only', async () => {
    const browser = new TestBrowser();
    expect((await browser.get(startUrl(app, 'oidc'))).status).toBe(404);
    expect((await browser.get(startUrl(app, 'google'))).status).toBe(404);
    expect((await browser.get(startUrl(app, NAME))).status).toBe(302);
  });

  it('sends the browser to the discovered authorization endpoint with state, PKCE S256 and a nonce', async () => {
    const step = await new TestBrowser().get(startUrl(app, NAME));
    expect(step.status).toBe(302);
    const to = new URL(step.location!);
    expect(`${to.origin}${to.pathname}`).toBe(idp.url('authorize'));
    const q = to.searchParams;
    expect(q.get('client_id')).toBe('corp-client');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('redirect_uri')).toBe(`${app.url}/auth/oidc/${NAME}/callback`);
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('hands the verified profile to the sign-in domain and returns its code', async () => {
    const nav = await signIn(new TestBrowser(), app, NAME);
    expectNoServerError(nav);
    const { code, error, url } = landing(nav);
    expect(error).toBeNull();
    expect(code).toBe(app.handler.codes[0]);
    expect(`${url.origin}${url.pathname}`).toBe(`${CLIENT_APP}/signed-in`);
    expect(app.handler.handled).toMatchObject([
      {
        profile: {
          provider: NAME,
          subject: 'corp|77',
          email: 'grace@corp.example',
          emailVerified: true,
          name: 'Grace',
        },
        intent: 'login',
      },
    ]);
    const authorize = idp.authorizationRequests.at(-1)!;
    const token = idp.tokenRequests.at(-1)!;
    expect(createHash('sha256').update(token.get('code_verifier')!).digest('base64url')).toBe(
      authorize.get('code_challenge'),
    );
  });

  it('reads the email from userinfo when the ID token carries none', async () => {
    idp.tamperNextIdToken({ kind: 'omit_claims', claims: ['email', 'email_verified', 'name'] });
    const nav = await signIn(new TestBrowser(), app, NAME);
    expect(landing(nav).code).toBeTruthy();
    expect(app.handler.handled[0]!.profile).toEqual({
      provider: NAME,
      subject: 'corp|77',
      email: 'grace@corp.example',
      emailVerified: true,
      name: 'Grace',
    });
  });

  it('passes email_verified=false on, and the domain refuses it as oidc_email_unverified', async () => {
    idp.user = { sub: 'corp|78', email: 'mallory@corp.example', email_verified: false };
    const nav = await signIn(new TestBrowser(), app, NAME);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_email_unverified' });
    expect(app.handler.handled[0]!.profile).toMatchObject({
      email: 'mallory@corp.example',
      emailVerified: false,
    });
  });

  it('answers oidc_denied when the user declines', async () => {
    idp.denyNext();
    const nav = await signIn(new TestBrowser(), app, NAME);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_denied' });
    expect(app.handler.failures).toMatchObject([{ provider: NAME, reason: 'access_denied' }]);
  });

  it('answers oidc_failed for any other error the provider reports', async () => {
    idp.denyNext('server_error');
    const nav = await signIn(new TestBrowser(), app, NAME);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'provider_error' }]);
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
    ['a bad signature', { kind: 'bad_signature' }, 'id_token_signature'],
    [
      'an expiry in the past',
      { kind: 'claims', claims: { iat: now() - 3600, exp: now() - 600 } },
      'id_token_expired',
    ],
  ] as const)('refuses an ID token with %s (oidc_failed)', async (_what, tamper, reason) => {
    idp.tamperNextIdToken(tamper);
    const nav = await signIn(new TestBrowser(), app, NAME);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_failed' });
    expect(app.handler.handled).toEqual([]);
    expect(app.handler.failures).toMatchObject([{ provider: NAME, reason }]);
  });

  it('answers oidc_failed when the code exchange is refused', async () => {
    idp.failNextTokenRequest(400, { error: 'invalid_grant' });
    const nav = await signIn(new TestBrowser(), app, NAME);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'code_exchange_failed' }]);
  });

  it('gives up on a token endpoint slower than the timeout (oidc_failed)', async () => {
    idp.delay('token', PROVIDER_TIMEOUT_MS * 3);
    const started = Date.now();
    const nav = await signIn(new TestBrowser(), app, NAME);
    expect(Date.now() - started).toBeLessThan(PROVIDER_TIMEOUT_MS * 3);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'provider_timeout' }]);
  });
});

describe('generic OIDC sign-in while the provider is down or hangs', () => {
  it('boots, and a start whose discovery hangs goes back to redirect_to with oidc_failed', async () => {
    const idp = await OidcProviderStandIn.start();
    idp.delay('discovery', PROVIDER_TIMEOUT_MS * 3);
    const app = await startFederationApp('oidc_generic_slow', idp.genericEnv(NAME));
    try {
      const nav = await signIn(new TestBrowser(), app, NAME);
      expectNoServerError(nav);
      expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_failed' });
      expect(`${landing(nav).url.origin}${landing(nav).url.pathname}`).toBe(
        `${CLIENT_APP}/signed-in`,
      );
      expect(app.handler.failures).toMatchObject([{ provider: NAME, reason: 'provider_timeout' }]);
    } finally {
      await app.close();
      await idp.stop();
    }
  });

  it('boots, and a start with no provider listening goes back with oidc_failed', async () => {
    const app = await startFederationApp('oidc_generic_down', {
      OIDC_ISSUER: `http://127.0.0.1:${await freePort()}`,
      OIDC_CLIENT_ID: 'c',
      OIDC_CLIENT_SECRET: 's',
      OIDC_NAME: NAME,
    });
    try {
      const nav = await signIn(new TestBrowser(), app, NAME);
      expectNoServerError(nav);
      expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
      expect(app.handler.failures).toMatchObject([{ reason: 'provider_unreachable' }]);
    } finally {
      await app.close();
    }
  });
});

function now(): number {
  return Math.floor(Date.now() / 1000);
}
