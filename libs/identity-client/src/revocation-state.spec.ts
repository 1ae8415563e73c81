import { PermissionCache, type UserGrants } from './permission-cache';
import { RevocationList } from './revocation-list';

describe('RevocationList', () => {
  it('refuses tokens of revoked sessions and locked users until their end plus the leeway', () => {
    const list = new RevocationList(5_000);
    list.revokeSessions(['S-1'], 10_000);
    list.lockUser('u-2', 20_000);
    expect(list.refusal({ sessionId: 's-1', userId: 'u-1' }, 14_999)).toBe('revoked');
    expect(list.refusal({ sessionId: 's-1', userId: 'u-1' }, 15_001)).toBeNull();
    expect(list.refusal({ sessionId: 's-9', userId: 'U-2' }, 1_000)).toBe('user_locked');
    list.unlockUser('u-2');
    expect(list.refusal({ sessionId: 's-9', userId: 'u-2' }, 1_000)).toBeNull();
  });

  it('forgets what can no longer concern a live token', () => {
    const list = new RevocationList(0);
    list.revokeSessions(['a', 'b'], 1_000);
    list.revokeSessions(['c'], 5_000);
    list.sweep(2_000);
    expect(list.size).toEqual({ sessions: 1, lockedUsers: 0 });
  });
});

describe('PermissionCache', () => {
  const grants = (permissions: string[], roles = ['user']): UserGrants => ({ roles, permissions });

  it('loads once per user, keeps it for its ttl, and loads again after', async () => {
    let now = 0;
    const load = jest.fn((_id: string) => Promise.resolve(grants(['a:b'])));
    const cache = new PermissionCache(load, 1_000, () => now);
    await Promise.all([cache.get('u'), cache.get('U'), cache.get('u')]);
    expect(load).toHaveBeenCalledTimes(1);
    now = 1_001;
    await cache.get('u');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('drops a user, or everyone holding a changed role; a load racing a drop is not kept', async () => {
    const answers = [grants(['old']), grants(['new'])];
    let release: (() => void) | undefined;
    const load = jest.fn(async () => {
      const answer = answers.shift()!;
      if (answer.permissions[0] === 'old') await new Promise<void>((r) => (release = r));
      return answer;
    });
    const cache = new PermissionCache(load, 60_000);
    const racing = cache.get('u');
    await Promise.resolve();
    cache.dropUser('u');
    release!();
    expect((await racing)!.permissions).toEqual(['old']); // handed to its waiter...
    expect((await cache.get('u'))!.permissions).toEqual(['new']); // ...never kept

    const roles = new PermissionCache(
      (id) => Promise.resolve(grants([id], id === 'x' ? ['reporter'] : ['user'])),
      60_000,
    );
    await roles.get('x');
    await roles.get('y');
    roles.dropRole('reporter');
    expect(roles.size).toBe(1);
  });
});
