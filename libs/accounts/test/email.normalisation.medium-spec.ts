/**
 * Attack: one mailbox, several accounts. If `Alice@Example.COM`, ` alice@example.com` and its
 * fullwidth spelling `ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ` were different keys, someone could
 * register a look-alike of an existing account (whose mails reach the same person), dodge
 * per-email limits, or sign in to an account they cannot tell apart from the real one.
 *
 * Property: every spelling that is equal after NFKC, trimming and lower-casing is one
 * account, for registration, login, resend and forgot-password alike; mail goes to the
 * stored address.
 */
import {
  type AccountsTestApp,
  CLIENT,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  startAccountsApp,
} from './accounts-test-app';

const TYPED = '  Alice@Example.COM ';
const STORED = 'Alice@Example.COM';
const NORMALIZED = 'alice@example.com';
const FULLWIDTH = 'ＡＬＩＣＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ';

describe('emails that normalise alike are one account', () => {
  let app: AccountsTestApp;

  beforeAll(async () => {
    app = await startAccountsApp({ label: 'acc_email_norm' });
  });
  afterAll(() => app.close());

  it('stores the trimmed address with its case, keyed by the normalised one', async () => {
    await app.registration.register({ email: TYPED, password: GOOD_PASSWORD }, CLIENT);
    await app.drainOutbox();
    const rows = await app.dataSource.query<{ email: string; email_normalized: string }[]>(
      `SELECT email, email_normalized FROM users`,
    );
    expect(rows).toEqual([{ email: STORED, email_normalized: NORMALIZED }]);
    await app.registration.verifyEmail(
      { token: await app.tokenFrom(STORED, 'verify_email'), password: GOOD_PASSWORD },
      CLIENT,
    );
  });

  it.each([NORMALIZED, FULLWIDTH, ` ${NORMALIZED.toUpperCase()}\t`])(
    'registering %j reaches the same account',
    async (variant) => {
      const before = (await app.mailsTo(STORED, 'account_exists')).length;
      await app.registration.register({ email: variant, password: OTHER_GOOD_PASSWORD }, CLIENT);
      await app.drainOutbox();
      const [row] = await app.dataSource.query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM users`,
      );
      expect(row!.n).toBe(1);
      expect(await app.mailsTo(STORED, 'account_exists')).toHaveLength(before + 1);
    },
  );

  it.each([NORMALIZED, FULLWIDTH, TYPED])('signs in as %j', async (variant) => {
    await expect(
      app.signIn.signIn({ email: variant, password: GOOD_PASSWORD }, CLIENT),
    ).resolves.toMatchObject({ kind: 'tokens' });
  });

  it('sends the reset link for a fullwidth spelling to the stored address', async () => {
    await app.recovery.forgotPassword(FULLWIDTH, CLIENT);
    expect(await app.mailsTo(STORED, 'reset_password')).toHaveLength(1);
    expect(app.mailer.sent.some((m) => m.to !== STORED)).toBe(false);
  });
});
