/**
 * Attack: abusing password-reset links. A link that works twice (or twice at once, by racing
 * two requests), that keeps working after another link was used, or that leaves the
 * attacker's sessions alive after the owner reset the password would let a thief keep or
 * regain the account. A weak password that burns the link would push users to weaker ones.
 *
 * Property: a reset token works exactly once even under concurrency; using it retires every
 * other reset token of the user, revokes every session (their refresh tokens stop working)
 * and tells the owner by mail. A password refused by the policy leaves the token usable.
 */
import { WeakPasswordError } from '@identity/passwords';
import { SessionError } from '@identity/sessions';
import { AccountError } from '../src';
import {
  type AccountsTestApp,
  auditRows,
  CLIENT,
  createVerifiedUser,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  startAccountsApp,
  tokenLogin,
  uniqueEmail,
} from './accounts-test-app';
import { SignInError } from '@identity/signin';
import { ManualClock } from '@identity/testing';

const clock = new ManualClock();

const tokenInvalid = new AccountError('account.token_invalid');
const NEW_PASSWORD = 'saffron-Glacier-94-thimble';

describe('password reset tokens are single-use and end every session', () => {
  let app: AccountsTestApp;

  beforeAll(async () => {
    app = await startAccountsApp({ label: 'acc_reset', clock });
  });
  afterAll(() => app.close());

  const requestReset = async (email: string): Promise<string> => {
    await app.recovery.forgotPassword(email, CLIENT);
    return app.tokenFrom(email, 'reset_password');
  };
  const loginAs = (email: string, password = GOOD_PASSWORD) => tokenLogin(app, { email, password });

  it('mails a reset link for an active account, and nothing for unknown or locked ones', async () => {
    const email = uniqueEmail('forgot');
    const userId = await createVerifiedUser(app, email);
    const token = await requestReset(email);
    const [mail] = await app.mailsTo(email, 'reset_password');
    expect(mail!.text).toContain(`${app.config.appUrl}/reset-password?token=${token}`);
    expect(
      (await auditRows(app, 'user.password_reset_requested')).filter((r) => r.user_id === userId),
    ).toHaveLength(1);

    const unknown = uniqueEmail('unknown');
    await expect(app.recovery.forgotPassword(unknown, CLIENT)).resolves.toBeUndefined();
    await expect(app.recovery.forgotPassword('bogus', CLIENT)).resolves.toBeUndefined();
    const locked = uniqueEmail('locked');
    const lockedId = await createVerifiedUser(app, locked);
    await app.factory.lock(lockedId);
    await expect(app.recovery.forgotPassword(locked, CLIENT)).resolves.toBeUndefined();
    expect(await app.mailsTo(unknown, 'reset_password')).toHaveLength(0);
    expect(await app.mailsTo(locked, 'reset_password')).toHaveLength(0);
  });

  it('leaves the token usable when the new password is weak', async () => {
    const email = uniqueEmail('weak');
    await createVerifiedUser(app, email);
    const token = await requestReset(email);

    await expect(
      app.recovery.resetPassword({ token, newPassword: 'short' }, CLIENT),
    ).rejects.toBeInstanceOf(WeakPasswordError);
    // The policy sees the owner's email, although the request only carried the token.
    const local = email.split('@')[0]!;
    await expect(
      app.recovery.resetPassword({ token, newPassword: `${local}-Zebra-Quill-42` }, CLIENT),
    ).rejects.toMatchObject({ violations: [expect.objectContaining({ rule: 'contains_email' })] });

    await app.recovery.resetPassword({ token, newPassword: NEW_PASSWORD }, CLIENT);
    await expect(loginAs(email, NEW_PASSWORD)).resolves.toMatchObject({ kind: 'tokens' });
  });

  it('works once; a second use is token_invalid', async () => {
    const email = uniqueEmail('once');
    await createVerifiedUser(app, email);
    const token = await requestReset(email);
    await app.recovery.resetPassword({ token, newPassword: NEW_PASSWORD }, CLIENT);
    await expect(
      app.recovery.resetPassword({ token, newPassword: OTHER_GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    await expect(loginAs(email, NEW_PASSWORD)).resolves.toMatchObject({ kind: 'tokens' });
  });

  it('refuses unknown and expired tokens', async () => {
    await expect(
      app.recovery.resetPassword({ token: 'A'.repeat(43), newPassword: NEW_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    const email = uniqueEmail('expired');
    await createVerifiedUser(app, email);
    const token = await requestReset(email);
    clock.advance(app.config.tokenTtl.resetPassword);
    await expect(
      app.recovery.resetPassword({ token, newPassword: NEW_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
  });

  it('retires the other reset links of the user', async () => {
    const email = uniqueEmail('others');
    await createVerifiedUser(app, email);
    const first = await requestReset(email);
    const second = await requestReset(email);
    expect(second).not.toBe(first);
    await app.recovery.resetPassword({ token: second, newPassword: NEW_PASSWORD }, CLIENT);
    await expect(
      app.recovery.resetPassword({ token: first, newPassword: OTHER_GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
  });

  it('revokes every session: their refresh tokens stop working', async () => {
    const email = uniqueEmail('sessions');
    const userId = await createVerifiedUser(app, email);
    const a = await loginAs(email);
    const b = await loginAs(email);
    const token = await requestReset(email);

    await app.recovery.resetPassword({ token, newPassword: NEW_PASSWORD }, CLIENT);

    for (const { pair } of [a, b]) {
      await expect(app.sessions.refresh(pair.refreshToken, CLIENT)).rejects.toEqual(
        new SessionError('session.refresh_invalid'),
      );
    }
    expect(await app.sessions.list(userId)).toEqual([]);
    await expect(loginAs(email)).rejects.toEqual(new SignInError('signin.invalid_credentials'));
    expect(await app.mailsTo(email, 'password_changed')).toHaveLength(1);
    expect(
      (await auditRows(app, 'user.password_reset')).filter((r) => r.user_id === userId),
    ).toHaveLength(1);
  });

  it('counts as proof of the mailbox: the account becomes verified, pending verification links die', async () => {
    const email = uniqueEmail('unverified');
    await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    const verification = await app.tokenFrom(email, 'verify_email');
    const token = await requestReset(email);
    await app.recovery.resetPassword({ token, newPassword: NEW_PASSWORD }, CLIENT);
    await expect(loginAs(email, NEW_PASSWORD)).resolves.toMatchObject({ kind: 'tokens' });
    // Whoever registered the address (and knows that first password) cannot use the link.
    expect(await app.registration.isVerificationLinkLive(verification)).toBe(false);
    await expect(
      app.registration.verifyEmail({ token: verification, password: GOOD_PASSWORD }, CLIENT),
    ).rejects.toMatchObject({ code: 'account.token_invalid' });
  });

  it('lets exactly one of many concurrent resets with one token succeed', async () => {
    const email = uniqueEmail('race');
    await createVerifiedUser(app, email);
    const token = await requestReset(email);
    const passwords = [
      NEW_PASSWORD,
      OTHER_GOOD_PASSWORD,
      'cobalt-Harbor-63-whistle',
      'amber-Falcon-27-pebble',
    ];

    const results = await Promise.allSettled(
      passwords.map((newPassword) => app.recovery.resetPassword({ token, newPassword }, CLIENT)),
    );

    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [passwords[i]!] : []));
    expect(won).toHaveLength(1);
    const losers = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
    expect(losers).toEqual(passwords.slice(1).map(() => tokenInvalid));
    await expect(loginAs(email, won[0])).resolves.toMatchObject({ kind: 'tokens' });
  });

  it('consumes a token in one statement: of many racing consumes exactly one wins', async () => {
    const userId = await createVerifiedUser(app, uniqueEmail('consume'));
    const token = await app.resets.issue({ userId, ttlSeconds: 60 });
    const results = await Promise.all(Array.from({ length: 8 }, () => app.resets.consume(token)));
    expect(results.filter((r) => r === userId)).toHaveLength(1);
    expect(results.filter((r) => r === null)).toHaveLength(7);
  });
});
