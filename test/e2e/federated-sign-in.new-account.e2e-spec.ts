/**
 * "Continue with Google / GitHub / <OIDC_NAME>" creates an account and signs it in, end to end
 * against real local stand-ins: start → provider → callback → `POST /auth/oidc/exchange` →
 * `/auth/me`. An identity is its (provider, subject): the same subject signs the same account
 * in whatever email the provider shows later, and no email ever creates a second account or
 * reaches into another one. Attacks covered: an email the provider does not vouch for
 * (refused, nothing created); a locked account (refused at the exchange like a password
 * sign-in); a federated-only account has no password that any guess could match.
 */
import request from 'supertest';
import { uniqueEmail } from '../support/flows';
import { GitHubStandIn } from '../support/github-standin';
import { OidcProviderStandIn } from '../support/oidc-provider';
import {
  auditRows,
  exchange,
  type FederatedApp,
  federatedSignIn,
  me,
  providerCode,
  providerLanding,
  startFederatedApp,
} from './federated-accounts.fixtures';
import { TestBrowser } from './federation.fixtures';
import { claimsOf, queryDb } from './mfa.helpers';

const CORP = 'corp';

describe('federated sign-in of a new identity', () => {
  let google: OidcProviderStandIn;
  let corp: OidcProviderStandIn;
  let github: GitHubStandIn;
  let app: FederatedApp;

  beforeAll(async () => {
    [google, corp, github] = await Promise.all([
      OidcProviderStandIn.start(),
      OidcProviderStandIn.start(),
      GitHubStandIn.start(),
    ]);
    app = await startFederatedApp('fed_new_account', {
      ...google.googleEnv(),
      ...corp.genericEnv(CORP),
      ...github.env(),
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([google?.stop(), corp?.stop(), github?.stop()]);
  });

  /** The account behind a token pair, and what the platform recorded about its creation. */
  async function expectNewFederatedAccount(
    res: request.Response,
    expected: { provider: string; email: string; name: string | null },
  ): Promise<string> {
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    expect(res.body).toEqual({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      refresh_expires_in: expect.any(Number),
      session_id: expect.any(String),
    });
    expect(claimsOf(res.body.access_token)).toMatchObject({ amr: ['fed'] });
    const profile = await me(app, res.body.access_token);
    expect(profile.status).toBe(200);
    expect(profile.body).toMatchObject({
      email: expected.email,
      name: expected.name,
      email_verified: true,
      mfa_enabled: false,
      roles: ['user'],
    });
    const userId = profile.body.id as string;
    const identities = await request(app.url)
      .get('/auth/identities')
      .set('Authorization', `Bearer ${res.body.access_token}`);
    expect(identities.status).toBe(200);
    expect(identities.body).toEqual([
      {
        provider: expected.provider,
        email: expected.email,
        linked_at: expect.any(String),
        last_used_at: expect.any(String),
      },
    ]);
    expect(await auditRows(app, 'user.registered', userId)).toMatchObject([
      { metadata: { via: 'oidc' } },
    ]);
    expect(await auditRows(app, 'identity.linked', userId)).toMatchObject([
      { metadata: { provider: expected.provider } },
    ]);
    expect(await auditRows(app, 'auth.login.succeeded', userId)).toMatchObject([
      { metadata: { method: 'federated', amr: ['fed'] } },
    ]);
    // Events name ids only: the address is in none of them.
    const events = await queryDb(
      app.app.db.url,
      `SELECT metadata FROM audit_log WHERE user_id = $1`,
      [userId],
    );
    expect(JSON.stringify(events)).not.toContain(expected.email);
    return userId;
  }

  it('lists the providers that are on, for the sign-in buttons', async () => {
    const res = await request(app.url).get('/auth/oidc');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ providers: ['google', 'github', CORP] });
  });

  it('creates a verified account without a password through Google and signs it in', async () => {
    const email = uniqueEmail('grace');
    google.user = { sub: 'g-2001', email, email_verified: true, name: 'Grace Hopper' };
    const res = await federatedSignIn(app, 'google');
    await expectNewFederatedAccount(res, { provider: 'google', email, name: 'Grace Hopper' });
    // No password exists, so no guess opens the account.
    const guess = await request(app.url)
      .post('/auth/login')
      .send({ email, password: 'correct horse battery staple 42' });
    expect(guess.status).toBe(401);
    expect(guess.body.code).toBe('invalid_credentials');
  });

  it('does the same through GitHub (the primary verified address, the numeric id)', async () => {
    const email = uniqueEmail('octo');
    github.user = {
      id: 7001,
      login: 'octo7001',
      name: 'Octo Seven',
      emails: [
        { email: uniqueEmail('secondary'), primary: false, verified: true },
        { email, primary: true, verified: true },
      ],
    };
    const res = await federatedSignIn(app, 'github');
    await expectNewFederatedAccount(res, { provider: 'github', email, name: 'Octo Seven' });
  });

  it('does the same through the generic OpenID Connect provider', async () => {
    const email = uniqueEmail('corp');
    corp.user = { sub: 'corp-42', email, email_verified: true, name: 'Corp User' };
    const res = await federatedSignIn(app, CORP);
    await expectNewFederatedAccount(res, { provider: CORP, email, name: 'Corp User' });
  });

  it('signs a known identity in to its account, whatever email the provider shows now', async () => {
    const email = uniqueEmail('known');
    google.user = { sub: 'g-2002', email, email_verified: true, name: 'Known' };
    const first = await federatedSignIn(app, 'google');
    const userId = (await me(app, first.body.access_token)).body.id as string;

    // Later the person changed their address at Google: the subject is the key, not the email.
    const changed = uniqueEmail('changed');
    google.user = { sub: 'g-2002', email: changed, email_verified: true, name: 'Known' };
    const again = await federatedSignIn(app, 'google');
    expect(again.status).toBe(200);
    expect(again.body.session_id).not.toBe(first.body.session_id);
    const profile = await me(app, again.body.access_token);
    expect(profile.body).toMatchObject({ id: userId, email });
    // The new address created nothing.
    expect(
      await queryDb(app.app.db.url, `SELECT id FROM users WHERE email_normalized = $1`, [changed]),
    ).toEqual([]);
    expect(await auditRows(app, 'auth.login.succeeded', userId)).toHaveLength(2);
  });

  it('creates one account when two first sign-ins of a new identity arrive at once', async () => {
    const email = uniqueEmail('twice');
    google.user = { sub: 'g-2006', email, email_verified: true };
    const [a, b] = await Promise.all([
      federatedSignIn(app, 'google'),
      federatedSignIn(app, 'google'),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const [meA, meB] = await Promise.all([
      me(app, a.body.access_token),
      me(app, b.body.access_token),
    ]);
    expect(meA.body.id).toBe(meB.body.id);
    expect(
      await queryDb(app.app.db.url, `SELECT id FROM users WHERE email_normalized = $1`, [email]),
    ).toHaveLength(1);
    expect(await auditRows(app, 'user.registered', meA.body.id)).toHaveLength(1);
  });

  it('answers in cookie mode with the auth cookies (X-Auth-Transport: cookie)', async () => {
    google.user = { sub: 'g-2003', email: uniqueEmail('cookie'), email_verified: true };
    const code = await providerCode(new TestBrowser(), app, 'google');
    const res = await exchange(app, code, { cookie: true });
    expect(res.status).toBe(200);
    expect(res.body.access_token).toBeUndefined();
    expect(res.body.refresh_token).toBeUndefined();
    expect(res.body).toMatchObject({ token_type: 'Bearer', session_id: expect.any(String) });
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const access = cookies.find((c) => c.startsWith('__Host-access_token='))!;
    expect(access).toMatch(/HttpOnly/i);
    expect(cookies.some((c) => c.startsWith('__Secure-refresh_token='))).toBe(true);
    expect(cookies.some((c) => c.startsWith('__Host-csrf_token='))).toBe(true);
    const profile = await request(app.url).get('/auth/me').set('Cookie', access.split(';')[0]!);
    expect(profile.status).toBe(200);
  });

  it('refuses an email the provider does not vouch for, and creates nothing', async () => {
    const email = uniqueEmail('unvouched');
    google.user = { sub: 'g-2004', email, email_verified: false, name: 'Unvouched' };
    const before = (await auditRows(app, 'auth.login.failed')).length;
    expect(await providerLanding(new TestBrowser(), app, 'google')).toEqual({
      code: null,
      error: 'oidc_email_unverified',
    });
    expect(
      await queryDb(app.app.db.url, `SELECT id FROM users WHERE email_normalized = $1`, [email]),
    ).toEqual([]);
    const failures = (await auditRows(app, 'auth.login.failed')).slice(before);
    expect(failures).toMatchObject([
      {
        user_id: null,
        metadata: {
          reason: 'oidc_email_unverified',
          method: 'federated',
          provider: 'google',
          detail: 'email_unverified',
        },
      },
    ]);
  });

  it('refuses a locked account at the exchange, like a password sign-in', async () => {
    google.user = { sub: 'g-2005', email: uniqueEmail('locked'), email_verified: true };
    const first = await federatedSignIn(app, 'google');
    const userId = (await me(app, first.body.access_token)).body.id as string;
    await app.users.lock(userId);

    const res = await federatedSignIn(app, 'google');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('account_locked');
    expect(res.body.access_token).toBeUndefined();
    expect(await auditRows(app, 'auth.login.failed', userId)).toMatchObject([
      { metadata: { reason: 'account_locked', method: 'federated' } },
    ]);
  });
});
