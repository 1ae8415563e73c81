/**
 * "Continue with GitHub" end to end against a real GitHub stand-in (GITHUB_BASE_URL for
 * /login/oauth/*, GITHUB_API_URL for /user and /user/emails): state and PKCE on the
 * authorization, the code exchanged with the verifier and the client secret, the subject the
 * numeric user id, and the email only the PRIMARY address GitHub has VERIFIED. Attacks
 * covered: an account whose primary address is unverified (anyone can add any address to a
 * GitHub account) or that has none must not vouch for an email; a wrong client secret; a
 * GitHub that hangs. Each lands on redirect_to as `?error=...`, never as a 500.
 */
import { createHash } from 'node:crypto';
import { GITHUB_USERS, GitHubStandIn } from '../support/github-standin';
import {
  expectNoServerError,
  type FederationApp,
  landing,
  PROVIDER_TIMEOUT_MS,
  signIn,
  signedInBrowser,
  startFederationApp,
  startUrl,
  TestBrowser,
} from './federation.fixtures';

describe('GitHub sign-in', () => {
  let github: GitHubStandIn;
  let app: FederationApp;

  beforeAll(async () => {
    github = await GitHubStandIn.start();
    app = await startFederationApp('github_sign_in', github.env());
  });
  afterAll(async () => {
    await app?.close();
    await github?.stop();
  });
  beforeEach(() => {
    github.reset();
    app.handler.reset();
  });

  it('sends the browser to GITHUB_BASE_URL with state, PKCE S256 and the scopes', async () => {
    const step = await new TestBrowser().get(startUrl(app, 'github'));
    expect(step.status).toBe(302);
    const to = new URL(step.location!);
    expect(`${to.origin}${to.pathname}`).toBe(`${github.baseUrl}/login/oauth/authorize`);
    expect(to.searchParams.get('client_id')).toBe('github-client');
    expect(to.searchParams.get('redirect_uri')).toBe(`${app.url}/auth/oidc/github/callback`);
    expect(to.searchParams.get('scope')).toBe('read:user user:email');
    expect(to.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('signs in with the numeric id and the primary verified email', async () => {
    github.user = GITHUB_USERS.primaryVerified();
    const { browser, user } = await signedInBrowser(app);
    const nav = await signIn(browser, app, 'github', {
      redirect_to: 'http://client.example.test/signed-in',
      intent: 'link',
    });
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: app.handler.codes[0], error: null });
    expect(app.handler.handled).toMatchObject([
      {
        profile: {
          provider: 'github',
          subject: '583231',
          email: 'octocat@example.com',
          emailVerified: true,
          name: 'The Octocat',
        },
        intent: 'link',
        accountId: user.id,
      },
    ]);
    const authorize = github.authorizationRequests.at(-1)!;
    const token = github.tokenRequests.at(-1)!;
    expect(token.get('client_secret')).toBe('github-secret');
    expect(createHash('sha256').update(token.get('code_verifier')!).digest('base64url')).toBe(
      authorize.get('code_challenge'),
    );
  });

  it.each([
    ['whose primary address is unverified', GITHUB_USERS.primaryUnverified, '9001', 'newcomer'],
    ['without any address', GITHUB_USERS.noEmails, '4242', 'ghost'],
  ])(
    'vouches for no email for an account %s (oidc_email_unverified)',
    async (_what, user, subject, name) => {
      github.user = user();
      const nav = await signIn(new TestBrowser(), app, 'github');
      expectNoServerError(nav);
      expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_email_unverified' });
      expect(app.handler.handled.map((h) => h.profile)).toEqual([
        { provider: 'github', subject, email: null, emailVerified: false, name },
      ]);
    },
  );

  it('answers oidc_denied when the user declines', async () => {
    github.denyNext();
    const nav = await signIn(new TestBrowser(), app, 'github');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_denied' });
    expect(app.handler.failures).toMatchObject([{ provider: 'github', reason: 'access_denied' }]);
  });

  it.each([
    ['user', '{"id": "not a number"}'],
    ['user', '<html>rate limited</html>'],
    ['emails', '<html>rate limited</html>'],
    ['emails', '{"email": "not a list"}'],
  ] as const)('answers oidc_failed when GET /%s answers garbage (%s)', async (endpoint, body) => {
    github.answerNext(endpoint, 200, body);
    const nav = await signIn(new TestBrowser(), app, 'github');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_failed' });
    expect(app.handler.handled).toEqual([]);
    expect(app.handler.failures).toMatchObject([{ reason: 'provider_response_invalid' }]);
  });

  it('gives up on a GitHub slower than the timeout (oidc_failed)', async () => {
    github.delay('access_token', PROVIDER_TIMEOUT_MS * 3);
    const started = Date.now();
    const nav = await signIn(new TestBrowser(), app, 'github');
    expect(Date.now() - started).toBeLessThan(PROVIDER_TIMEOUT_MS * 3);
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'provider_timeout' }]);
  });

  it('gives up on an emails API slower than the timeout (oidc_failed)', async () => {
    github.delay('emails', PROVIDER_TIMEOUT_MS * 3);
    const nav = await signIn(new TestBrowser(), app, 'github');
    expectNoServerError(nav);
    expect(landing(nav)).toMatchObject({ error: 'oidc_failed' });
    expect(app.handler.failures).toMatchObject([{ reason: 'provider_timeout' }]);
  });
});

describe('GitHub sign-in with a wrong client secret', () => {
  it('fails the code exchange as oidc_failed', async () => {
    const github = await GitHubStandIn.start();
    const app = await startFederationApp('github_bad_secret', github.env('not-the-secret'));
    try {
      const nav = await signIn(new TestBrowser(), app, 'github');
      expectNoServerError(nav);
      expect(landing(nav)).toMatchObject({ code: null, error: 'oidc_failed' });
      expect(app.handler.failures).toMatchObject([{ reason: 'code_exchange_failed' }]);
    } finally {
      await app.close();
      await github.stop();
    }
  });
});
