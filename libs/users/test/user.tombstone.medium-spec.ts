/**
 * A deleted account is no account. The attack: an account "deleted" in name only keeps
 * answering somewhere (a sign-in lookup, the access cache's status read, an admin unlock that
 * brings it back active, a late verification link, a password set through an old reset
 * token), or keeps the personal data it was deleted to erase.
 *
 * Property: `erasePersonalData` leaves a tombstone (non-routable address, no name, no
 * password, not verified) that no read of the repository returns and no change touches; the
 * address is free for a new account; and `changeEmail` answers taken, unavailable and changed
 * in its one statement.
 */
import { type DomainTestApp, startDomainApp, uniqueEmail } from '@identity/testing';
import { normalizeEmail, UserRepository } from '../src';

describe('deleted accounts (tombstones) in the users repository', () => {
  let app: DomainTestApp;
  let users: UserRepository;

  beforeAll(async () => {
    app = await startDomainApp({ label: 'users_tombstone' });
    users = app.get(UserRepository);
  });
  afterAll(() => app.close());

  it('erases the personal data and hides the row from every read and change', async () => {
    const user = await app.factory.create({ name: 'Grace', email: uniqueEmail('grace') });
    expect(await users.erasePersonalData(user.id)).toBe(true);
    expect(await users.erasePersonalData(user.id)).toBe(false);

    const [row] = await app.database.query<Record<string, unknown>>(
      `SELECT status, email, email_normalized, name, password_hash, password_pepper_version,
              email_verified_at, locked_at
         FROM users WHERE id = $1`,
      [user.id],
    );
    expect(row).toEqual({
      status: 'deleted',
      email: `deleted-${user.id}@deleted.invalid`,
      email_normalized: `deleted-${user.id}@deleted.invalid`,
      name: null,
      password_hash: null,
      password_pepper_version: null,
      email_verified_at: null,
      locked_at: null,
    });

    const tombstone = `deleted-${user.id}@deleted.invalid`;
    expect(await users.findById(user.id)).toBeNull();
    expect(await users.findByEmail(user.emailNormalized)).toBeNull();
    expect(await users.findByEmail(tombstone)).toBeNull();
    expect(await users.findSignInCandidate(tombstone)).toBeNull();
    expect(await users.findSignInCandidateById(user.id)).toBeNull();
    expect(await users.findProfile(user.id)).toBeNull();
    expect(await users.findStatus(user.id)).toBeNull();

    // Nothing brings it back or writes into it.
    expect(await users.setStatus(user.id, { status: 'active', at: new Date() })).toBe('not_found');
    expect(await users.markVerified(user.id, new Date())).toBe(false);
    expect(await users.rename(user.id, 'Back')).toBe(false);
    await users.setPassword(user.id, user.password);
    expect(
      await users.changeEmail({
        userId: user.id,
        email: 'back@example.com',
        emailNormalized: 'back@example.com',
        verifiedAt: new Date(),
      }),
    ).toBe('unavailable');
    const [after] = await app.database.query<Record<string, unknown>>(
      `SELECT status, name, password_hash FROM users WHERE id = $1`,
      [user.id],
    );
    expect(after).toEqual({ status: 'deleted', name: null, password_hash: null });

    // The address is free again.
    const again = await app.factory.create({ email: user.email });
    expect(again.id).not.toBe(user.id);
    expect((await users.findByEmail(normalizeEmail(user.email)))?.id).toBe(again.id);
  });

  it('refuses at the database level a tombstone that keeps personal data', async () => {
    const user = await app.factory.create();
    await users.erasePersonalData(user.id);
    await expect(
      app.database.execute(`UPDATE users SET name = 'kept' WHERE id = $1`, [user.id]),
    ).rejects.toThrow(/ck_users_deleted_erased/);
  });

  it('changeEmail: changed (verified), taken by another account, unavailable when locked', async () => {
    const owner = await app.factory.create({ email: uniqueEmail('owner') });
    const mover = await app.factory.create({ email: uniqueEmail('mover'), verified: false });
    const at = new Date('2030-01-01T00:00:00Z');
    const to = (email: string) => ({
      userId: mover.id,
      email,
      emailNormalized: normalizeEmail(email),
      verifiedAt: at,
    });

    expect(await users.changeEmail(to(owner.email.toUpperCase()))).toBe('taken');
    expect((await users.findById(mover.id))?.email).toBe(mover.email);

    const fresh = uniqueEmail('Fresh');
    expect(await users.changeEmail(to(fresh))).toBe('changed');
    const moved = await users.findById(mover.id);
    expect(moved).toMatchObject({ email: fresh, emailNormalized: normalizeEmail(fresh) });
    expect(moved?.emailVerifiedAt?.toISOString()).toBe(at.toISOString());
    // Its own address in another case is not "taken".
    expect(await users.changeEmail(to(fresh.toLowerCase()))).toBe('changed');

    await app.factory.lock(mover.id);
    expect(await users.changeEmail(to(uniqueEmail('locked')))).toBe('unavailable');
  });
});
