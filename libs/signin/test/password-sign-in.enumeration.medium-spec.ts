/**
 * Attack: learning which emails have accounts (and what state they are in) through login.
 * If an unknown email failed differently, or faster because no password was hashed, than a
 * wrong password for a real account, an attacker could list accounts; if "locked" or "not
 * verified" were answered before the password was checked, anyone could probe an address's
 * state without knowing its password.
 *
 * Property: an unknown email, a malformed one and a wrong password get one error after the
 * same real argon2 verify; `signin.account_locked` and `signin.email_not_verified` come only after
 * a correct password. Every refusal is audited (`auth.login.failed`) although it fails.
 */
import { CLIENT, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, uniqueEmail } from '@identity/testing';
import { SignInError } from '../src';
import { type SignInTestApp, startSignInApp } from './signin-test-app';

const invalidCredentials = new SignInError('signin.invalid_credentials');

describe('login does not reveal which emails have accounts', () => {
  let app: SignInTestApp;

  beforeAll(async () => {
    app = await startSignInApp({ label: 'signin_password_enum' });
  });
  afterAll(() => app.close());

  const sessionCount = async (userId: string): Promise<number> => {
    const [row] = await app.database.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1`,
      [userId],
    );
    return row!.n;
  };

  /** The error a login ends with, and the hasher work it did. */
  const attempt = async (email: string, password: string) => {
    app.hasher.reset();
    const error: unknown = await app.password.signIn({ email, password }, CLIENT).then(
      () => undefined,
      (e: unknown) => e,
    );
    return { error, calls: { ...app.hasher.calls } };
  };

  it('answers an unknown email and a wrong password with the same error, after real argon2 work', async () => {
    const { email } = await app.factory.create({ email: uniqueEmail('known') });

    const unknown = await attempt(uniqueEmail('unknown'), GOOD_PASSWORD);
    const wrong = await attempt(email, OTHER_GOOD_PASSWORD);

    expect(unknown.error).toEqual(invalidCredentials);
    expect(wrong.error).toEqual(unknown.error);
    expect(String(wrong.error)).toBe(String(unknown.error));
    // One argon2 verify each: against the dummy hash for the unknown email, the real one else.
    expect(unknown.calls).toEqual({ hash: 0, verify: 0, verifyDummy: 1 });
    expect(wrong.calls).toEqual({ hash: 0, verify: 1, verifyDummy: 0 });
  });

  it('treats a malformed email like an unknown one (same error, same work)', async () => {
    const malformed = await attempt('not-an-email', GOOD_PASSWORD);
    expect(malformed.error).toEqual(invalidCredentials);
    expect(malformed.calls).toEqual({ hash: 0, verify: 0, verifyDummy: 1 });
  });

  it('says "not verified" only after the right password', async () => {
    const user = await app.factory.create({ email: uniqueEmail('unverified'), verified: false });
    const email = user.email;

    expect((await attempt(email, OTHER_GOOD_PASSWORD)).error).toEqual(invalidCredentials);
    expect((await attempt(email, GOOD_PASSWORD)).error).toEqual(
      new SignInError('signin.email_not_verified'),
    );
    expect(await sessionCount(user.id)).toBe(0);
  });

  it('says "locked" only after the right password', async () => {
    const { id: userId, email } = await app.factory.create({
      email: uniqueEmail('locked'),
      status: 'locked',
    });

    expect((await attempt(email, OTHER_GOOD_PASSWORD)).error).toEqual(invalidCredentials);
    expect((await attempt(email, GOOD_PASSWORD)).error).toEqual(
      new SignInError('signin.account_locked'),
    );
    expect(await sessionCount(userId)).toBe(0);
  });

  it('audits every refusal as auth.login.failed with its reason, the user when known and the IP hash', async () => {
    const { id: userId, email } = await app.factory.create({ email: uniqueEmail('audited') });
    const before = (await app.auditRows('auth.login.failed')).length;

    await attempt(email, OTHER_GOOD_PASSWORD);
    await attempt(uniqueEmail('ghost'), GOOD_PASSWORD);
    await app.factory.lock(userId);
    await attempt(email, GOOD_PASSWORD);

    const rows = (await app.auditRows('auth.login.failed')).slice(before);
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r.metadata.reason, r.user_id])).toEqual([
      ['invalid_credentials', userId],
      ['invalid_credentials', null],
      ['account_locked', userId],
    ]);
    for (const row of rows) {
      expect(row.ip_hash).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(JSON.stringify(row)).not.toContain(email);
    }
  });
});
