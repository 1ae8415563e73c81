/**
 * Pre-account hijacking (Sudhodanan & Paverd, 2022, "classic-federated merge"): an attacker
 * registers the victim's address with a password of their own and never verifies it (they
 * cannot: the link goes to the victim's mailbox). Later the victim arrives with "Continue with
 * Google". A platform that merged the two by email would hand the victim an account the
 * attacker can still open with their password, or, reset link in hand, take back later.
 *
 * Here the provider-verified identity takes the unverified account over, and nothing the
 * attacker set up survives: the password is void (their login is 401 like any wrong
 * password), the pending verification and reset links are used up, and the email is verified.
 * Once verified, the account is never taken over again: another identity with that email only
 * gets `account_link_required`.
 */
import request from 'supertest';
import { GitHubStandIn } from '../support/github-standin';
import { MailCatcher } from '../support/mail-catcher';
import { mailedToken, uniqueEmail } from '../support/flows';
import { OidcProviderStandIn } from '../support/oidc-provider';
import {
  auditRows,
  type FederatedApp,
  federatedSignIn,
  me,
  startFederatedApp,
} from './federated-accounts.fixtures';

const ATTACKER_PASSWORD = 'attacker-Chose-this-79-quietly';

describe('pre-account hijacking through an unverified registration', () => {
  const mail = new MailCatcher();
  let google: OidcProviderStandIn;
  let github: GitHubStandIn;
  let app: FederatedApp;

  beforeAll(async () => {
    const smtpPort = await mail.start();
    [google, github] = await Promise.all([OidcProviderStandIn.start(), GitHubStandIn.start()]);
    app = await startFederatedApp('fed_pre_hijack', {
      ...google.googleEnv(),
      ...github.env(),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    });
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([google?.stop(), github?.stop(), mail.stop()]);
  });

  it('gives the account to the provider-verified victim and voids everything the attacker set up', async () => {
    const victimEmail = uniqueEmail('victim');
    const attacker = { email: victimEmail, password: ATTACKER_PASSWORD };

    // The attacker registers the victim's address; the links it produces sit in the victim's
    // mailbox (here: the catcher), unused.
    expect((await request(app.url).post('/auth/register').send(attacker)).status).toBe(202);
    const verifyLink = await mailedToken(mail, victimEmail, 'verify-email');
    expect(
      (await request(app.url).post('/auth/forgot-password').send({ email: victimEmail })).status,
    ).toBe(202);
    const resetLink = await mailedToken(mail, victimEmail, 'reset-password');
    const before = await request(app.url).post('/auth/login').send(attacker);
    expect(before.status).toBe(403);
    expect(before.body.code).toBe('email_not_verified');

    // The victim signs in with Google, which vouches for the address.
    google.user = { sub: 'g-victim', email: victimEmail, email_verified: true, name: 'Victim' };
    const signIn = await federatedSignIn(app, 'google');
    expect(signIn.status).toBe(200);
    const profile = await me(app, signIn.body.access_token);
    expect(profile.body).toMatchObject({ email: victimEmail, email_verified: true });
    const userId = profile.body.id as string;

    // The attacker's password no longer opens it...
    const after = await request(app.url).post('/auth/login').send(attacker);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('invalid_credentials');
    // ...nor do the links they caused.
    const verify = await request(app.url)
      .post('/auth/verify-email')
      .send({ token: verifyLink, password: ATTACKER_PASSWORD });
    expect(verify.status).toBe(400);
    expect(verify.body.code).toBe('token_invalid');
    const reset = await request(app.url)
      .post('/auth/reset-password')
      .send({ token: resetLink, new_password: 'attacker-Takes-it-back-80' });
    expect(reset.status).toBe(400);
    expect(reset.body.code).toBe('token_invalid');
    expect((await request(app.url).post('/auth/login').send(attacker)).status).toBe(401);

    // The victim's identity is the way in; the takeover is on record.
    const identities = await request(app.url)
      .get('/auth/identities')
      .set('Authorization', `Bearer ${signIn.body.access_token}`);
    expect(identities.body).toMatchObject([{ provider: 'google', email: victimEmail }]);
    expect(await auditRows(app, 'user.email_verified', userId)).toHaveLength(1);
    expect(await auditRows(app, 'identity.linked', userId)).toMatchObject([
      { metadata: { provider: 'google' } },
    ]);
  });

  it('takes over only an unverified account: once verified, another identity must be linked', async () => {
    const email = uniqueEmail('once');
    expect(
      (await request(app.url).post('/auth/register').send({ email, password: ATTACKER_PASSWORD }))
        .status,
    ).toBe(202);
    google.user = { sub: 'g-once', email, email_verified: true };
    const first = await federatedSignIn(app, 'google');
    expect(first.status).toBe(200);

    // A GitHub account showing the same address is a stranger until the owner links it.
    github.user = {
      id: 8801,
      login: 'sameaddress',
      name: null,
      emails: [{ email, primary: true, verified: true }],
    };
    const second = await federatedSignIn(app, 'github');
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('account_link_required');
    const identities = await request(app.url)
      .get('/auth/identities')
      .set('Authorization', `Bearer ${first.body.access_token}`);
    expect(identities.body.map((i: { provider: string }) => i.provider)).toEqual(['google']);
  });
});
