/**
 * Attack: pre-account hijacking. Someone registers an address they do not own, with a password
 * of theirs, and waits for the owner to arrive through a provider that vouches for the
 * address. The takeover must leave them nothing: no password, no live verification or reset
 * link, no session; and it must never touch an account whose owner has proven the address
 * (that one is linked only by its owner). A verification link used at the same moment as the
 * takeover must end in one consistent state, never an error or a deadlock.
 */
import { ProviderVouchedAccounts } from '@identity/accounts';
import { AccountError } from '../src';
import {
  type AccountsTestApp,
  auditRows,
  CLIENT,
  createVerifiedUser,
  GOOD_PASSWORD,
  startAccountsApp,
  uniqueEmail,
} from './accounts-test-app';

const IP_HASH = 'ip-hash-of-the-test-client';
const tokenInvalid = new AccountError('account.token_invalid');

describe('an unverified account taken over by a provider-vouched identity', () => {
  let app: AccountsTestApp;
  let vouched: ProviderVouchedAccounts;

  beforeAll(async () => {
    app = await startAccountsApp({ label: 'acc_takeover' });
    vouched = app.get(ProviderVouchedAccounts);
  });
  afterAll(() => app.close());

  /** The attacker's registration of `email`, with the links it caused. */
  async function squat(email: string) {
    await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    const verifyToken = await app.tokenFrom(email, 'verify_email');
    await app.recovery.forgotPassword(email, CLIENT);
    const resetToken = await app.tokenFrom(email, 'reset_password');
    const user = await app.users.findByEmail(email.toLowerCase());
    return { userId: user!.id, verifyToken, resetToken };
  }

  const takeOver = (userId: string) =>
    app.database.withTransaction((tx) =>
      vouched.takeOverUnverified(tx, { userId, ipHash: IP_HASH }),
    );

  it('voids the password and every pending link, and verifies the email', async () => {
    const email = uniqueEmail('squatted');
    const { userId, verifyToken, resetToken } = await squat(email);

    expect(await takeOver(userId)).toBe(true);
    const user = await app.users.findById(userId);
    expect(user).toMatchObject({ password: null, emailVerifiedAt: expect.any(Date) });
    await expect(
      app.registration.verifyEmail({ token: verifyToken, password: GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    await expect(
      app.recovery.resetPassword({ token: resetToken, newPassword: GOOD_PASSWORD }, CLIENT),
    ).rejects.toEqual(tokenInvalid);
    expect(
      (await auditRows(app, 'user.email_verified')).filter((r) => r.user_id === userId),
    ).toHaveLength(1);
    // Only once: a second takeover of the now verified account changes nothing.
    expect(await takeOver(userId)).toBe(false);
  });

  it('never touches a verified account', async () => {
    const email = uniqueEmail('owned');
    const userId = await createVerifiedUser(app, email);
    const before = await app.users.findById(userId);
    expect(await takeOver(userId)).toBe(false);
    expect(await app.users.findById(userId)).toEqual(before);
  });

  it('ends in one consistent state when the verification link is used at the same moment', async () => {
    for (let round = 0; round < 5; round += 1) {
      const { userId, verifyToken } = await squat(uniqueEmail(`race${round}`));
      const [verified, taken] = await Promise.allSettled([
        app.registration.verifyEmail({ token: verifyToken, password: GOOD_PASSWORD }, CLIENT),
        takeOver(userId),
      ]);
      const user = await app.users.findById(userId);
      expect(user!.emailVerifiedAt).not.toBeNull();
      const outcome = {
        takeover: taken.status === 'fulfilled' ? taken.value : taken.reason,
        verification: verified.status === 'fulfilled' ? 'verified' : verified.reason,
        password: user!.password === null ? 'void' : 'kept',
      };
      expect([
        // The takeover won: it spent the link, the password is gone.
        { takeover: true, verification: tokenInvalid, password: 'void' },
        // The link won: the owner proved the address; the takeover stood back.
        { takeover: false, verification: 'verified', password: 'kept' },
      ]).toContainEqual(outcome);
      expect(
        (await auditRows(app, 'user.email_verified')).filter((r) => r.user_id === userId),
      ).toHaveLength(1);
    }
  });
});
