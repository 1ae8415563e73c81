/**
 * Attack: the password alone opening a session of an account that has a second factor, or the
 * second step being completed with different terms than the first (another device name), or
 * the MFA answer telling a password guesser which accounts have MFA.
 *
 * Property: for a user with confirmed TOTP a correct password answers `mfa_required` with an
 * mfa_token and opens no session (and audits no success); a wrong password, or a locked
 * account, answers exactly as without MFA; the mfa_token carries the login's device name into
 * the session the second step opens.
 */
import { createHmac } from 'node:crypto';
import { TotpEnrolmentService } from '@identity/mfa';
import { CLIENT, GOOD_PASSWORD, uniqueEmail } from '@identity/testing';
import { SignInError } from '../src';
import { type SignInTestApp, startSignInApp } from './signin-test-app';

/** RFC 6238 (SHA-1, 6 digits, 30 s) from the RFC, for a base32 secret. */
function totp(secret: string, step = Math.floor(Date.now() / 30_000)): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...secret].map((c) => alphabet.indexOf(c).toString(2).padStart(5, '0')).join('');
  const key = Buffer.from((bits.match(/.{8}/g) ?? []).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('login of a user with a second factor', () => {
  let app: SignInTestApp;
  let enrolment: TotpEnrolmentService;

  beforeAll(async () => {
    app = await startSignInApp({ label: 'signin_mfa_step' });
    enrolment = app.get(TotpEnrolmentService);
  });
  afterAll(() => app.close());

  const enrolledUser = async () => {
    const { id: userId, email } = await app.factory.create({ email: uniqueEmail('mfa') });
    const { secret } = await enrolment.setup({ userId, password: GOOD_PASSWORD, client: CLIENT });
    const step = Math.floor(Date.now() / 30_000);
    await enrolment.confirm({ userId, code: totp(secret, step - 1) });
    return { email, userId, secret, step };
  };

  it('answers mfa_required with a token and opens no session', async () => {
    const { email, userId } = await enrolledUser();
    const result = await app.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT);
    expect(result).toEqual({
      kind: 'mfa_required',
      userId,
      mfaToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      methods: ['totp', 'recovery_code'],
    });
    expect(await app.sessions.list(userId)).toEqual([]);
    expect(
      (await app.auditRows('auth.login.succeeded')).filter((r) => r.user_id === userId),
    ).toEqual([]);
  });

  it('refuses a wrong password and a locked account as it does without MFA', async () => {
    const { email, userId } = await enrolledUser();
    await expect(
      app.password.signIn({ email, password: 'not-the-Password-99' }, CLIENT),
    ).rejects.toEqual(new SignInError('signin.invalid_credentials'));
    await app.factory.lock(userId);
    await expect(app.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT)).rejects.toEqual(
      new SignInError('signin.account_locked'),
    );
  });

  it("the second step opens the session on the first step's terms (device name, pwd+otp)", async () => {
    const { email, userId, secret, step } = await enrolledUser();
    const first = await app.password.signIn(
      { email, password: GOOD_PASSWORD, deviceName: 'work laptop' },
      CLIENT,
    );
    if (first.kind !== 'mfa_required') throw new Error('expected the MFA step');
    const done = await app.mfaStep.verify(
      { mfaToken: first.mfaToken, code: totp(secret, step) },
      CLIENT,
    );
    expect(done.amr).toEqual(['pwd', 'otp']);
    expect(await app.sessions.list(userId)).toEqual([
      expect.objectContaining({ id: done.pair.sessionId, deviceName: 'work laptop' }),
    ]);
    const [audit] = (await app.auditRows('auth.login.succeeded')).filter(
      (r) => r.user_id === userId,
    );
    expect(audit!.metadata).toEqual({ amr: ['pwd', 'otp'], method: 'password' });
  });

  it('upgrades an outdated hash at the password step, and still asks for the second factor', async () => {
    const { email, userId } = await enrolledUser();
    const stronger = await startSignInApp({
      label: 'signin_mfa_rehash',
      db: app.db,
      env: { ARGON2_TIME_COST: '2' },
    });
    try {
      const result = await stronger.password.signIn({ email, password: GOOD_PASSWORD }, CLIENT);
      expect(result).toMatchObject({ kind: 'mfa_required', userId });
      const [row] = await app.database.query<{ hash: string }>(
        `SELECT password_hash AS hash FROM users WHERE id = $1`,
        [userId],
      );
      expect(row!.hash).toContain('m=1024,p=1,t=2$');
      expect(await app.sessions.list(userId)).toEqual([]);
    } finally {
      await stronger.close();
    }
  });
});
