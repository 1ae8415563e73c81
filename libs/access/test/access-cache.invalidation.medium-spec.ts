/**
 * Attack/failure: an admin takes a role away (or locks an account) on one instance while
 * another instance keeps answering from a stale cache, so the revoked permission keeps
 * working there. Every committed change must reach every instance's memory before the next
 * verification there (the writer answers only once its announcement has gone round); and,
 * with the cache warm, verification must not need Postgres at all.
 */
import { EventBus } from '@identity/audit';
import { createTestDatabase, type TestDatabase, uniqueKvPrefix } from '@identity/testing';
import { AccessDenylist, AccessTokenService } from '@identity/tokens';
import { type AccessTestApp, startAccessApp } from './access-test-app';

describe('access cache across instances', () => {
  let db: TestDatabase;
  let a: AccessTestApp;
  let b: AccessTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('access_cache');
    const keyPrefix = uniqueKvPrefix('access_cache');
    a = await startAccessApp({ databaseUrl: db.url, keyPrefix });
    b = await startAccessApp({ databaseUrl: db.url, keyPrefix });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await db.drop();
  });

  const lock = async (app: AccessTestApp, userId: string, locked: boolean) => {
    await app.database.withTransaction(async (tx) => {
      await tx.query(`UPDATE users SET status = $2 WHERE id = $1`, [
        userId,
        locked ? 'locked' : 'active',
      ]);
      await app.module.get(EventBus).emit(tx, locked ? 'user.locked' : 'user.unlocked', { userId });
    });
    await app.access.propagated();
  };

  it('a role change on one instance is seen by the other', async () => {
    const id = await a.newUser();
    await a.access.setUserRoles({ userId: id, roles: ['user'] });
    expect(await b.access.currentAccess(id)).toEqual({
      roles: ['user'],
      permissions: [],
      locked: false,
    });
    await a.access.setUserRoles({ userId: id, roles: ['admin'] });
    // The changing instance is consistent the moment the call returns.
    expect((await a.access.currentAccess(id)).permissions).toEqual(['identity:admin']);
    expect(await b.access.currentAccess(id)).toEqual({
      roles: ['admin'],
      permissions: ['identity:admin'],
      locked: false,
    });
  });

  it('a role definition change on one instance is seen by the other', async () => {
    const id = await a.newUser();
    await a.roles.save({ name: 'reporter', permissions: ['reports:read'] });
    await a.access.setUserRoles({ userId: id, roles: ['reporter'] });
    expect((await b.access.currentAccess(id)).permissions).toEqual(['reports:read']);
    await a.roles.save({ name: 'reporter', permissions: ['reports:generate', 'reports:read'] });
    expect((await b.access.currentAccess(id)).permissions).toEqual([
      'reports:generate',
      'reports:read',
    ]);
    await a.roles.save({ name: 'reporter', permissions: [] });
    expect((await b.access.currentAccess(id)).permissions).toEqual([]);
  });

  it('a lock turns the token inactive as user_locked on the other instance; unlock restores', async () => {
    const id = await a.newUser();
    await a.access.setUserRoles({ userId: id, roles: ['user'] });
    const minted = await a.module.get(AccessTokenService).mint({
      userId: id,
      sessionId: '7f8e7a52-4f39-4c56-a1b8-1d2b4c5d6e7f',
      roles: ['user'],
      amr: ['pwd', 'otp'],
    });
    const active = await b.introspection.introspect(minted.token);
    expect(active).toMatchObject({ active: true, userId: id, roles: ['user'], mfa: true });

    await lock(a, id, true);
    expect(await b.introspection.introspect(minted.token)).toEqual({
      active: false,
      reason: 'user_locked',
    });
    // Locking also denylists the sessions: the lock still names the reason.
    await a.module.get(AccessDenylist).denySessions(['7f8e7a52-4f39-4c56-a1b8-1d2b4c5d6e7f']);
    expect(await b.introspection.introspect(minted.token)).toEqual({
      active: false,
      reason: 'user_locked',
    });
    await lock(a, id, false);
    expect(await b.introspection.introspect(minted.token)).toEqual({
      active: false,
      reason: 'revoked',
    });
  });

  it('refuses unknown user ids', async () => {
    await expect(
      b.access.currentAccess('00000000-0000-4000-8000-000000000000'),
    ).rejects.toMatchObject({ code: 'access.user_not_found' });
  });

  it('with the cache warm, verification answers with Postgres gone', async () => {
    const id = await b.newUser();
    await b.access.setUserRoles({ userId: id, roles: ['admin'] });
    const minted = await b.module.get(AccessTokenService).mint({
      userId: id,
      sessionId: '0b6f3c1e-9a55-4d1b-8b8e-2f4a6c8d0e1f',
      roles: ['admin'],
      amr: ['pwd'],
    });
    expect(await b.introspection.introspect(minted.token)).toMatchObject({ active: true });
    await b.database.dataSource.destroy();
    expect(await b.introspection.introspect(minted.token)).toMatchObject({
      active: true,
      permissions: ['identity:admin'],
      mfa: false,
    });
  });
});
