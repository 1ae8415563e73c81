/**
 * Attack: account enumeration through registration. An attacker registers addresses to learn
 * which already have accounts, from the answer (value or error), from a second account being
 * created (or failing with a 500 on the unique index), or from the answer being faster when
 * the address is taken and no password gets hashed.
 *
 * Property: registering a taken address resolves exactly like a new one, after the same
 * argon2 hashing; the owner is mailed an `account_exists` notice instead, and no second
 * account appears, even when two registrations of one address race.
 */
import { WeakPasswordError } from '@identity/passwords';
import { AccountError } from '../src';
import {
  type AccountsTestApp,
  auditRows,
  CLIENT,
  GOOD_PASSWORD,
  OTHER_GOOD_PASSWORD,
  startAccountsApp,
  uniqueEmail,
} from './accounts-test-app';

describe('registration does not reveal which emails have accounts', () => {
  let app: AccountsTestApp;

  beforeAll(async () => {
    app = await startAccountsApp({ label: 'acc_register_enum' });
  });
  afterAll(() => app.close());

  const userRows = async (normalized: string): Promise<number> => {
    const [row] = await app.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM users WHERE email_normalized = $1`,
      [normalized],
    );
    return row!.n;
  };

  it('answers a new and a taken email identically, and mails the owner instead', async () => {
    const email = uniqueEmail('owner');
    const first = await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    const second = await app.registration.register(
      { email: email.toUpperCase(), password: OTHER_GOOD_PASSWORD, name: 'Mallory' },
      CLIENT,
    );

    expect(first).toBeUndefined();
    expect(second).toEqual(first);
    await app.drainOutbox();
    expect(await userRows(email)).toBe(1);
    expect(await app.mailsTo(email, 'verify_email')).toHaveLength(1);
    const notices = await app.mailsTo(email, 'account_exists');
    expect(notices).toHaveLength(1);
    // The notice offers the owner a reset link that works.
    const token = /reset-password\?token=([A-Za-z0-9_-]+)/.exec(notices[0]!.text)?.[1];
    expect(token).toBeDefined();
    expect(await app.resets.findLiveUserId(token!)).not.toBeNull();
    // The second registration's password did not replace the owner's.
    const user = await app.users.findByEmail(email);
    expect((await app.hasher.verify({ ...user!.password!, password: GOOD_PASSWORD })).valid).toBe(
      true,
    );
  });

  it('runs the same real argon2 hashing for a taken email as for a new one', async () => {
    const email = uniqueEmail('timing');
    app.hasher.reset();
    await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    const forNew = { ...app.hasher.calls };
    app.hasher.reset();
    await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    const forTaken = { ...app.hasher.calls };

    expect(forNew).toEqual({ hash: 1, verify: 0, verifyDummy: 0 });
    expect(forTaken).toEqual(forNew);
  });

  it('refuses a weak password the same way for a taken and a new email', async () => {
    const taken = uniqueEmail('weak');
    await app.registration.register({ email: taken, password: GOOD_PASSWORD }, CLIENT);
    for (const email of [taken, uniqueEmail('weak-new')]) {
      await expect(
        app.registration.register({ email, password: 'password123' }, CLIENT),
      ).rejects.toBeInstanceOf(WeakPasswordError);
    }
  });

  it('treats concurrent registrations of one email as "exists": one account, no error', async () => {
    const email = uniqueEmail('race');
    const variants = [email, email.toUpperCase(), ` ${email} `, email, email];
    const results = await Promise.allSettled(
      variants.map((e) => app.registration.register({ email: e, password: GOOD_PASSWORD }, CLIENT)),
    );

    expect(results.map((r) => r.status)).toEqual(variants.map(() => 'fulfilled'));
    await app.drainOutbox();
    expect(await userRows(email)).toBe(1);
    // Whichever spelling won is the stored address, and every mail goes there.
    const user = await app.users.findByEmail(email);
    expect(await app.mailsTo(user!.email, 'verify_email')).toHaveLength(1);
    expect(await app.mailsTo(user!.email, 'account_exists')).toHaveLength(variants.length - 1);
    const registered = (await auditRows(app, 'user.registered')).filter(
      (r) => r.user_id === user!.id,
    );
    expect(registered).toHaveLength(1);
  });

  it('answers "exists" when the insert loses to a registration committed meanwhile', async () => {
    // Deterministic version of the race: another transaction holds the address's row,
    // uncommitted, so this registration finds nobody, then waits on the unique index.
    const email = uniqueEmail('held');
    const holder = app.dataSource.createQueryRunner();
    await holder.connect();
    await holder.startTransaction();
    try {
      // The other registration's row, written through the real repository in its transaction.
      await app.users.create({ email, emailNormalized: email, password: null }, holder.manager);
      const pending = app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
      await new Promise((r) => setTimeout(r, 300));
      await holder.commitTransaction();
      await expect(pending).resolves.toBeUndefined();
    } finally {
      await holder.release();
    }
    expect(await userRows(email)).toBe(1);
    expect(await app.mailsTo(email, 'verify_email')).toHaveLength(0);
    expect(await app.mailsTo(email, 'account_exists')).toHaveLength(1);
  });

  it('records user.registered with an IP hash, never the address', async () => {
    const email = uniqueEmail('audit');
    await app.registration.register({ email, password: GOOD_PASSWORD }, CLIENT);
    await app.drainOutbox();
    const user = await app.users.findByEmail(email);
    const [row] = (await auditRows(app, 'user.registered')).filter((r) => r.user_id === user!.id);
    expect(row).toMatchObject({ metadata: { via: 'password' } });
    expect(row!.ip_hash).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(JSON.stringify(row)).not.toContain(CLIENT.ip);
    expect(JSON.stringify(row)).not.toContain(email);
  });

  it('gives the new account the default role and leaves it unverified', async () => {
    const email = uniqueEmail('role');
    await app.registration.register({ email, password: GOOD_PASSWORD, name: ' Ada ' }, CLIENT);
    await app.drainOutbox();
    const user = await app.users.findByEmail(email);
    const profile = await app.profile.me(user!.id);
    expect(profile).toMatchObject({
      email,
      name: 'Ada',
      emailVerified: false,
      mfaEnabled: false,
      roles: ['user'],
      permissions: [],
    });
  });

  it('refuses an address API.md does not accept, before any other work', async () => {
    app.hasher.reset();
    await expect(
      app.registration.register(
        { email: 'no-at-sign.example.org', password: GOOD_PASSWORD },
        CLIENT,
      ),
    ).rejects.toEqual(new AccountError('account.invalid_email'));
    expect(app.hasher.calls.hash).toBe(0);
  });
});
