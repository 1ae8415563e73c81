/**
 * Attack: replaying or guessing verification links. A link that works twice, works after
 * it expired, or can be rebuilt from a database copy would let someone who saw it once (a
 * shared mailbox, a proxy log, a backup) verify an address they do not own.
 *
 * Property: a verification token works exactly once and only before it expires; unknown,
 * used and expired tokens are one error; only its SHA-256 is stored. Verification is what
 * makes `BOOTSTRAP_ADMIN_EMAIL` an admin, and only that address.
 */
import { hashToken } from '@identity/crypto';
import { AccountError } from '../src';
import {
  type AccountsTestApp,
  auditRows,
  CLIENT,
  GOOD_PASSWORD,
  startAccountsApp,
  uniqueEmail,
} from './accounts-test-app';
import { ManualClock } from '@identity/testing';

const clock = new ManualClock();

const BOOTSTRAP_ADMIN = 'First.Admin@Example.org';
const tokenInvalid = new AccountError('account.token_invalid');

describe('email verification tokens are single-use, expiring and stored hashed', () => {
  let app: AccountsTestApp;

  beforeAll(async () => {
    app = await startAccountsApp({
      clock,
      label: 'acc_verify',
      env: { BOOTSTRAP_ADMIN_EMAIL: ` ${BOOTSTRAP_ADMIN} ` },
    });
  });
  afterAll(() => app.close());

  const register = async (email: string): Promise<{ userId: string; token: string }> => {
    await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    const token = await app.tokenFrom(email, 'verify_email');
    const user = await app.users.findByEmail(email.toLowerCase());
    return { userId: user!.id, token };
  };

  it('verifies with the mailed link once; the second use is token_invalid', async () => {
    const email = uniqueEmail('once');
    const { userId, token } = await register(email);
    const [mail] = await app.mailsTo(email, 'verify_email');
    expect(mail!.text).toContain(`${app.config.appUrl}/auth/verify-email?token=${token}`);

    await app.registration.verifyEmail({ token: token, password: GOOD_PASSWORD }, CLIENT);
    expect((await app.profile.me(userId)).emailVerified).toBe(true);
    await expect(
      app.registration.verifyEmail({ token: token, password: GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    expect(
      (await auditRows(app, 'user.email_verified')).filter((r) => r.user_id === userId),
    ).toHaveLength(1);
  });

  it('needs the password chosen at registration: a wrong one is refused, the link stays usable', async () => {
    const { userId, token } = await register(uniqueEmail('password'));
    await expect(
      app.registration.verifyEmail({ token, password: 'not the registrant 99' }, CLIENT),
    ).rejects.toEqual(new AccountError('account.invalid_credentials'));
    // Opening the link only tells that it is live: nothing is verified, nothing spent.
    expect(await app.registration.isVerificationLinkLive(token)).toBe(true);
    expect((await app.profile.me(userId)).emailVerified).toBe(false);
    await app.registration.verifyEmail({ token, password: GOOD_PASSWORD }, CLIENT);
    expect((await app.profile.me(userId)).emailVerified).toBe(true);
    expect(await app.registration.isVerificationLinkLive(token)).toBe(false);
  });

  it('refuses unknown and empty tokens with the same error', async () => {
    await expect(
      app.registration.verifyEmail({ token: 'x'.repeat(43), password: GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    await expect(
      app.registration.verifyEmail({ token: '', password: GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
  });

  it('a token works until the end of its lifetime, not a second longer; expired, the email stays unverified', async () => {
    const ttl = app.config.tokenTtl.verifyEmail;
    const early = await register(uniqueEmail('in-time'));
    const late = await register(uniqueEmail('expired'));
    clock.advance(ttl - 1);
    await app.registration.verifyEmail({ token: early.token, password: GOOD_PASSWORD }, CLIENT);
    expect((await app.profile.me(early.userId)).emailVerified).toBe(true);
    clock.advance(1);
    await expect(
      app.registration.verifyEmail({ token: late.token, password: GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    expect((await app.profile.me(late.userId)).emailVerified).toBe(false);
  });

  it('stores only the SHA-256 of the token, never the token', async () => {
    const { userId, token } = await register(uniqueEmail('hashed'));
    const rows = await app.dataSource.query<{ token_hash: string }[]>(
      `SELECT token_hash FROM email_verifications WHERE user_id = $1`,
      [userId],
    );
    expect(rows).toEqual([{ token_hash: hashToken(token) }]);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const dump = JSON.stringify(await app.dataSource.query(`SELECT * FROM email_verifications`));
    expect(dump).not.toContain(token);
  });

  it('lets a resend issue a fresh working link; nothing is sent for unknown or verified emails', async () => {
    const email = uniqueEmail('resend');
    const { token } = await register(email);
    await app.registration.resendVerification(email.toUpperCase(), CLIENT);
    const mails = await app.mailsTo(email, 'verify_email');
    expect(mails).toHaveLength(2);
    const fresh = await app.tokenFrom(email, 'verify_email');
    expect(fresh).not.toBe(token);
    await app.registration.verifyEmail({ token: fresh, password: GOOD_PASSWORD }, CLIENT);

    await expect(app.registration.resendVerification(email, CLIENT)).resolves.toBeUndefined();
    const unknown = uniqueEmail('nobody');
    await expect(app.registration.resendVerification(unknown, CLIENT)).resolves.toBeUndefined();
    await expect(
      app.registration.resendVerification('not an email', CLIENT),
    ).resolves.toBeUndefined();
    expect(await app.mailsTo(email, 'verify_email')).toHaveLength(2);
    expect(await app.mailsTo(unknown, 'verify_email')).toHaveLength(0);
  });

  it('makes BOOTSTRAP_ADMIN_EMAIL (normalised) an admin on verification, not before', async () => {
    const { userId, token } = await register(BOOTSTRAP_ADMIN.toLowerCase());
    expect((await app.profile.me(userId)).roles).toEqual(['user']);

    await app.registration.verifyEmail({ token: token, password: GOOD_PASSWORD }, CLIENT);
    expect(await app.profile.me(userId)).toMatchObject({
      roles: ['admin', 'user'],
      permissions: ['identity:admin'],
    });
    expect(
      (await auditRows(app, 'user.roles_changed')).filter((r) => r.user_id === userId),
    ).toHaveLength(1);
  });

  it('grants admin to nobody else', async () => {
    const { userId, token } = await register(uniqueEmail('not-admin'));
    await app.registration.verifyEmail({ token: token, password: GOOD_PASSWORD }, CLIENT);
    expect((await app.profile.me(userId)).roles).toEqual(['user']);
  });
});
