/**
 * Attack: a thief with a stolen session changes the victim's password, or a victim who
 * changes the password (because they suspect a thief) leaves the thief's sessions alive.
 *
 * Property: changing the password requires the current one (a wrong one is
 * `account.invalid_credentials` and changes nothing); a success keeps only the session that
 * made the change and revokes every other one, and mails the owner.
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

describe('change password needs the current one and keeps only the current session', () => {
  let app: AccountsTestApp;

  beforeAll(async () => {
    app = await startAccountsApp({ label: 'acc_change_pw' });
  });
  afterAll(() => app.close());

  const loginAs = (email: string, password = GOOD_PASSWORD) => tokenLogin(app, { email, password });

  it('refuses a wrong current password and changes nothing', async () => {
    const email = uniqueEmail('wrong');
    const userId = await createVerifiedUser(app, email);
    const { pair } = await loginAs(email);
    const other = await loginAs(email);

    await expect(
      app.recovery.changePassword(
        {
          userId,
          sessionId: pair.sessionId,
          currentPassword: OTHER_GOOD_PASSWORD,
          newPassword: OTHER_GOOD_PASSWORD,
        },
        CLIENT,
      ),
    ).rejects.toEqual(new AccountError('account.invalid_credentials'));

    await expect(loginAs(email)).resolves.toMatchObject({ kind: 'tokens' });
    expect(await app.sessions.isActive(other.pair.sessionId)).toBe(true);
  });

  it('refuses a weak new password', async () => {
    const email = uniqueEmail('weak');
    const userId = await createVerifiedUser(app, email);
    const { pair } = await loginAs(email);
    await expect(
      app.recovery.changePassword(
        {
          userId,
          sessionId: pair.sessionId,
          currentPassword: GOOD_PASSWORD,
          newPassword: '12345678',
        },
        CLIENT,
      ),
    ).rejects.toBeInstanceOf(WeakPasswordError);
  });

  it('keeps the current session and revokes the others', async () => {
    const email = uniqueEmail('scope');
    const userId = await createVerifiedUser(app, email);
    const current = await loginAs(email);
    const others = [await loginAs(email), await loginAs(email)];

    await app.recovery.changePassword(
      {
        userId,
        sessionId: current.pair.sessionId,
        currentPassword: GOOD_PASSWORD,
        newPassword: OTHER_GOOD_PASSWORD,
      },
      CLIENT,
    );

    const rotated = await app.sessions.refresh(current.pair.refreshToken, CLIENT);
    expect(rotated.sessionId).toBe(current.pair.sessionId);
    for (const { pair } of others) {
      await expect(app.sessions.refresh(pair.refreshToken, CLIENT)).rejects.toEqual(
        new SessionError('session.refresh_invalid'),
      );
    }
    expect((await app.sessions.list(userId)).map((s) => s.id)).toEqual([current.pair.sessionId]);
    await expect(loginAs(email)).rejects.toEqual(new SignInError('signin.invalid_credentials'));
    await expect(loginAs(email, OTHER_GOOD_PASSWORD)).resolves.toMatchObject({ kind: 'tokens' });
    expect(await app.mailsTo(email, 'password_changed')).toHaveLength(1);
    expect(
      (await auditRows(app, 'user.password_changed')).filter((r) => r.user_id === userId),
    ).toHaveLength(1);
  });

  it('answers not_found for an account that no longer exists', async () => {
    const email = uniqueEmail('deleted');
    const userId = await createVerifiedUser(app, email);
    const { pair } = await loginAs(email);
    await app.dataSource.query(`DELETE FROM users WHERE id = $1`, [userId]);
    await expect(
      app.recovery.changePassword(
        {
          userId,
          sessionId: pair.sessionId,
          currentPassword: GOOD_PASSWORD,
          newPassword: OTHER_GOOD_PASSWORD,
        },
        CLIENT,
      ),
    ).rejects.toEqual(new AccountError('account.not_found'));
  });
});
