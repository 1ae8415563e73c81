/**
 * Attack: probing the profile lookup with crafted ids, hoping for a database error (a 500
 * that leaks SQL) instead of a clean "not found"; and a profile that claims MFA is on while
 * the enrolment was never confirmed.
 *
 * Property: `me()` answers the API.md fields with roles and permissions as they are now;
 * `mfaEnabled` is true only for a confirmed TOTP enrolment; unknown and malformed ids are
 * `account.not_found`, never a query error.
 */
import { AccountError } from '../src';
import {
  type AccountsTestApp,
  createVerifiedUser,
  startAccountsApp,
  uniqueEmail,
} from './accounts-test-app';

describe('profile', () => {
  let app: AccountsTestApp;

  beforeAll(async () => {
    app = await startAccountsApp({ label: 'acc_profile' });
  });
  afterAll(() => app.close());

  it('answers the account with its roles, permissions and MFA state', async () => {
    const email = uniqueEmail('me');
    const userId = await createVerifiedUser(app, email);
    const profile = await app.profile.me(userId);
    expect(profile).toEqual({
      id: userId,
      email,
      name: null,
      emailVerified: true,
      mfaEnabled: false,
      roles: ['user'],
      permissions: [],
      createdAt: expect.any(Date),
    });

    await app.dataSource.query(
      `INSERT INTO mfa_totp (user_id, secret_enc, kek_id) VALUES ($1, 'sealed', 'kek')`,
      [userId],
    );
    expect((await app.profile.me(userId)).mfaEnabled).toBe(false);
    await app.dataSource.query(`UPDATE mfa_totp SET enabled_at = now() WHERE user_id = $1`, [
      userId,
    ]);
    expect((await app.profile.me(userId)).mfaEnabled).toBe(true);
  });

  it('answers not_found for an account that no longer exists', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    await expect(app.profile.me(id)).rejects.toEqual(new AccountError('account.not_found'));
    await expect(app.users.findById(id)).resolves.toBeNull();
  });
});
