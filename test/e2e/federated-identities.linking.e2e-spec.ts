/**
 * Safe account linking. A provider identity is attached to an existing account only by that
 * account's owner, from a session of it that passed its second factor, and never because an
 * email matches. Attacks covered:
 * - an identity at a provider that shows the email of someone's *verified* account tries to
 *   sign in to it (answered `account_link_required`; nothing is merged, no session opens);
 * - a link token used from another account's session (refused like no token at all, and
 *   left usable for its owner), replayed, or used from a session without the account's MFA;
 * - an identity already linked to one account linked to a second (`identity_in_use`);
 * - link CSRF: an attacker's `intent=link` code planted in a victim's browser (the code is
 *   bound to the attacker's account from the start, so it can never link to the victim's);
 * - `intent=link` without a session;
 * - unlinking the last way into an account (refused: the owner would be locked out).
 */
import request from 'supertest';
import { ManualClock } from '../support/clock';
import { cookiesOf } from '../support/cookies';
import { uniqueEmail } from '../support/flows';
import { GitHubStandIn } from '../support/github-standin';
import { OidcProviderStandIn } from '../support/oidc-provider';
import {
  auditRows,
  exchange,
  type FederatedApp,
  federatedSignIn,
  me,
  passwordAccount,
  passwordLogin,
  providerCode,
  signedInBrowser,
  startFederatedApp,
} from './federated-accounts.fixtures';
import { TestBrowser } from './federation.fixtures';
import { claimsOf, codeFor, enrol, passwordStep, steadyStep } from './mfa.helpers';

describe('linking federated identities', () => {
  const clock = new ManualClock();
  let google: OidcProviderStandIn;
  let github: GitHubStandIn;
  let app: FederatedApp;

  beforeAll(async () => {
    [google, github] = await Promise.all([OidcProviderStandIn.start(), GitHubStandIn.start()]);
    app = await startFederatedApp(
      'fed_linking',
      { ...google.googleEnv(), ...github.env() },
      {
        clock,
      },
    );
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([google?.stop(), github?.stop()]);
  });

  const link = (accessToken: string, linkToken: unknown) =>
    request(app.url)
      .post('/auth/oidc/link')
      .set('Authorization', `Bearer ${accessToken}`)
      .send({ link_token: linkToken });
  const identities = async (accessToken: string) =>
    (await request(app.url).get('/auth/identities').set('Authorization', `Bearer ${accessToken}`))
      .body as { provider: string }[];

  /** A Google sign-in with the address of an existing verified account: the 409's link token. */
  async function linkOffer(sub: string, email: string): Promise<string> {
    google.user = { sub, email, email_verified: true, name: 'Someone' };
    const res = await federatedSignIn(app, 'google');
    expect(res.status).toBe(409);
    return res.body.link_token as string;
  }

  it('never merges into a verified account with the same email: account_link_required', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('owner') });
    // The provider's spelling of the address differs only in case: still the same account.
    google.user = { sub: 'g-4001', email: owner.email.toUpperCase(), email_verified: true };
    const res = await federatedSignIn(app, 'google');
    expect(res.status).toBe(409);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body).toMatchObject({
      status: 409,
      code: 'account_link_required',
      link_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      provider: 'google',
      email: owner.email.toUpperCase(),
    });
    expect(res.body.access_token).toBeUndefined();
    // Nothing was linked and nobody was signed in; the owner's password still opens it.
    expect(await auditRows(app, 'auth.login.succeeded', owner.id)).toEqual([]);
    const token = await passwordLogin(app, owner);
    expect(await identities(token)).toEqual([]);
  });

  it('links from a session that passed the MFA step; then Google signs in through the MFA step', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('mfa-owner') });
    const step = await steadyStep(clock);
    const oldSession = await passwordLogin(app, owner);
    const { secret } = await enrol(app.url, oldSession, owner.password, step);
    const linkToken = await linkOffer('g-4002', owner.email);

    // That session began before the second factor existed: it may not add a way in.
    const refused = await link(oldSession, linkToken);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('mfa_required');

    const mfaToken = await passwordStep(app.url, { email: owner.email, password: owner.password });
    const verified = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: mfaToken, code: codeFor(secret, step) });
    expect(verified.status).toBe(200);
    const linked = await link(verified.body.access_token, linkToken);
    expect(linked.status).toBe(200);
    expect(linked.body).toEqual({ provider: 'google', linked_at: expect.any(String) });
    expect(await auditRows(app, 'identity.linked', owner.id)).toMatchObject([
      { metadata: { provider: 'google' } },
    ]);
    expect(await identities(verified.body.access_token)).toMatchObject([
      { provider: 'google', email: owner.email, last_used_at: null },
    ]);

    // From now on Google signs the owner in, and the second factor is still asked for.
    const signIn = await federatedSignIn(app, 'google');
    expect(signIn.status).toBe(200);
    expect(signIn.body).toEqual({
      mfa_required: true,
      mfa_token: expect.any(String),
      methods: ['totp', 'recovery_code'],
    });
    const done = await request(app.url)
      .post('/auth/mfa/verify')
      .send({ mfa_token: signIn.body.mfa_token, code: codeFor(secret, step + 1) });
    expect(done.status).toBe(200);
    expect(claimsOf(done.body.access_token)).toMatchObject({ amr: ['fed', 'otp'] });
    expect((await me(app, done.body.access_token)).body.id).toBe(owner.id);
    expect(await auditRows(app, 'auth.login.succeeded', owner.id)).toMatchObject([
      { metadata: { method: 'password' } },
      { metadata: { method: 'password' } },
      { metadata: { method: 'federated', amr: ['fed', 'otp'] } },
    ]);
  });

  it("refuses a link token from another account's session, leaves it to its owner, and only once", async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('bound') });
    const other = await passwordAccount(app, { email: uniqueEmail('other') });
    const linkToken = await linkOffer('g-4003', owner.email);

    const otherSession = await passwordLogin(app, other);
    const stolen = await link(otherSession, linkToken);
    expect(stolen.status).toBe(400);
    expect(stolen.body.code).toBe('token_invalid');
    expect(await identities(otherSession)).toEqual([]);

    const ownerSession = await passwordLogin(app, owner);
    expect((await link(ownerSession, linkToken)).status).toBe(200);
    const replay = await link(ownerSession, linkToken);
    expect(replay.status).toBe(400);
    expect(replay.body.code).toBe('token_invalid');
    expect((await link(ownerSession, 'no-such-token')).body.code).toBe('token_invalid');
  });

  it('links an identity to one account only: identity_in_use for a second', async () => {
    google.user = { sub: 'g-4004', email: uniqueEmail('first'), email_verified: true };
    expect((await federatedSignIn(app, 'google')).status).toBe(200);

    const second = await passwordAccount(app, { email: uniqueEmail('second') });
    const browser = await signedInBrowser(app, second);
    const offer = await exchange(
      app,
      await providerCode(browser, app, 'google', { intent: 'link' }),
    );
    expect(offer.status).toBe(409);
    const res = await link(await passwordLogin(app, second), offer.body.link_token);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('identity_in_use');
  });

  it('needs a session to start intent=link', async () => {
    const res = await new TestBrowser().get(`${app.url}/auth/oidc/google?intent=link`);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'unauthorized' });
  });

  it("binds an intent=link code to the account that started it (a planted code cannot link to the victim's)", async () => {
    const attacker = await passwordAccount(app, { email: uniqueEmail('attacker') });
    const victim = await passwordAccount(app, { email: uniqueEmail('victim') });
    google.user = { sub: 'g-evil', email: uniqueEmail('evil'), email_verified: true };
    const planted = await providerCode(await signedInBrowser(app, attacker), app, 'google', {
      intent: 'link',
    });

    // The victim's page exchanges whatever code arrives and tries to link it.
    const offer = await exchange(app, planted);
    expect(offer.status).toBe(409);
    const victimSession = await passwordLogin(app, victim);
    const res = await link(victimSession, offer.body.link_token);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('token_invalid');
    expect(await identities(victimSession)).toEqual([]);
  });

  it('links any identity the owner brings from a session, whatever its email', async () => {
    const owner = await passwordAccount(app, { email: uniqueEmail('bring') });
    google.user = { sub: 'g-4006', email: uniqueEmail('elsewhere'), email_verified: true };
    const offer = await exchange(
      app,
      await providerCode(await signedInBrowser(app, owner), app, 'google', { intent: 'link' }),
    );
    expect(offer.status).toBe(409);
    expect((await link(await passwordLogin(app, owner), offer.body.link_token)).status).toBe(200);
    const signIn = await federatedSignIn(app, 'google');
    expect((await me(app, signIn.body.access_token)).body.id).toBe(owner.id);
  });

  describe('unlinking', () => {
    const unlink = (accessToken: string, provider: string) =>
      request(app.url)
        .delete(`/auth/identities/${provider}`)
        .set('Authorization', `Bearer ${accessToken}`);

    it('never removes the last way to sign in, and removes the others', async () => {
      // An account made by Google (no password), then GitHub linked from its session.
      google.user = { sub: 'g-4007', email: uniqueEmail('fedonly'), email_verified: true };
      const code = await providerCode(new TestBrowser(), app, 'google');
      const session = await exchange(app, code, { cookie: true });
      const browser = new TestBrowser();
      Object.assign(browser.cookies(app.url), cookiesOf(session).jar);
      github.user = {
        id: 4007,
        login: 'fedonly',
        name: null,
        emails: [{ email: uniqueEmail('gh'), primary: true, verified: true }],
      };
      const offer = await exchange(
        app,
        await providerCode(browser, app, 'github', { intent: 'link' }),
      );
      const token = (await federatedSignIn(app, 'google')).body.access_token as string;
      clock.advance(1);
      expect((await link(token, offer.body.link_token)).status).toBe(200);
      // Oldest link first.
      expect((await identities(token)).map((i) => i.provider)).toEqual(['google', 'github']);

      const userId = (await me(app, token)).body.id as string;
      expect((await unlink(token, 'google')).status).toBe(204);
      expect(await auditRows(app, 'identity.unlinked', userId)).toMatchObject([
        { metadata: { provider: 'google' } },
      ]);
      const last = await unlink(token, 'github');
      expect(last.status).toBe(409);
      expect(last.body.code).toBe('last_sign_in_method');
      expect((await identities(token)).map((i) => i.provider)).toEqual(['github']);
    });

    it('lets an account with a password unlink its only identity', async () => {
      const owner = await passwordAccount(app, { email: uniqueEmail('haspw') });
      const linkToken = await linkOffer('g-4008', owner.email);
      const token = await passwordLogin(app, owner);
      expect((await link(token, linkToken)).status).toBe(200);
      expect((await unlink(token, 'google')).status).toBe(204);
      expect(await identities(token)).toEqual([]);
    });

    it('answers 404 for a provider the account has no identity of', async () => {
      const token = await passwordLogin(app, await passwordAccount(app));
      for (const provider of ['google', 'github', 'Not%20A%20Name']) {
        const res = await unlink(token, provider);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    });
  });
});
