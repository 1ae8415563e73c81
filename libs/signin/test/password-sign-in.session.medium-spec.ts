/**
 * Attack: a login that succeeds without leaving a usable, accountable session, or a password
 * hash that stays at yesterday's strength forever. Raising argon2's cost (or rotating the
 * pepper) protects only the hashes made after it unless existing ones are upgraded.
 *
 * Property: a correct login opens a real session (its refresh token rotates) and is audited;
 * a hash made with outdated argon2 parameters or an old pepper is replaced on the next
 * correct login, and the password keeps working.
 */
import { DEV_PASSWORD_PEPPER } from '@identity/config';
import { CLIENT, GOOD_PASSWORD, uniqueEmail } from '@identity/testing';
import { type SignInTestApp, startSignInApp, tokenSignIn } from './signin-test-app';

describe('a correct password opens a session and upgrades outdated hashes', () => {
  let app: SignInTestApp;

  beforeAll(async () => {
    app = await startSignInApp({ label: 'signin_password_session' });
  });
  afterAll(() => app.close());

  const storedHash = async (userId: string) => {
    const [row] = await app.database.query<{ hash: string; pepper: number }>(
      `SELECT password_hash AS hash, password_pepper_version AS pepper FROM users WHERE id = $1`,
      [userId],
    );
    return row!;
  };

  it('returns a token pair whose session is live and whose refresh token rotates', async () => {
    const email = uniqueEmail('success');
    const { id: userId } = await app.factory.create({ email });

    const result = await tokenSignIn(app, { email, password: GOOD_PASSWORD, deviceName: 'laptop' });

    expect(result.kind).toBe('tokens');
    expect(result.userId).toBe(userId);
    expect(result.pair).toMatchObject({
      tokenType: 'Bearer',
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      sessionId: expect.any(String),
    });
    expect(result.pair.expiresIn).toBeGreaterThan(0);
    expect(result.pair.refreshExpiresIn).toBeGreaterThan(0);
    expect(await app.sessions.list(userId)).toEqual([
      expect.objectContaining({ id: result.pair.sessionId, deviceName: 'laptop' }),
    ]);
    const rotated = await app.sessions.refresh(result.pair.refreshToken, CLIENT);
    expect(rotated.sessionId).toBe(result.pair.sessionId);

    const [audit] = (await app.auditRows('auth.login.succeeded')).filter(
      (r) => r.user_id === userId,
    );
    expect(audit!.metadata).toEqual({ amr: ['pwd'], method: 'password' });
  });

  it('does not rehash a hash that is current', async () => {
    const user = await app.factory.create({ email: uniqueEmail('current') });
    const before = await storedHash(user.id);
    app.hasher.reset();
    await app.password.signIn({ email: user.email, password: GOOD_PASSWORD }, CLIENT);
    expect(app.hasher.calls.hash).toBe(0);
    expect(await storedHash(user.id)).toEqual(before);
  });

  it('rehashes with the new argon2 parameters on the next correct login', async () => {
    const email = uniqueEmail('rehash');
    const { id: userId } = await app.factory.create({ email });
    expect((await storedHash(userId)).hash).toContain('m=1024,p=1,t=1$');

    const stronger = await startSignInApp({
      label: 'signin_password_rehash',
      db: app.db,
      env: { ARGON2_TIME_COST: '2' },
    });
    try {
      await stronger.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT);
      expect((await storedHash(userId)).hash).toContain('m=1024,p=1,t=2$');
      // The upgraded hash still verifies, and is not upgraded again.
      stronger.hasher.reset();
      await stronger.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT);
      expect(stronger.hasher.calls.hash).toBe(0);
    } finally {
      await stronger.close();
    }
  });

  it('rehashes with the current pepper after a pepper rotation', async () => {
    const email = uniqueEmail('pepper');
    const { id: userId } = await app.factory.create({ email });
    expect((await storedHash(userId)).pepper).toBe(1);

    const rotated = await startSignInApp({
      label: 'signin_password_pepper',
      db: app.db,
      env: {
        PASSWORD_PEPPER: Buffer.alloc(32, 9).toString('base64'),
        PASSWORD_PEPPER_VERSION: '2',
        PASSWORD_PREVIOUS_PEPPERS: `1:${DEV_PASSWORD_PEPPER}`,
      },
    });
    try {
      await rotated.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT);
      expect((await storedHash(userId)).pepper).toBe(2);
      await expect(
        rotated.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT),
      ).resolves.toMatchObject({ kind: 'tokens' });
    } finally {
      await rotated.close();
    }
  });
});
