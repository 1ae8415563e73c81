/**
 * Roles and permissions as stored: assignments, the union of the roles' permissions, role
 * definitions (create, replace, delete) and the refusals that keep the admin API from
 * breaking the platform (built-in roles, roles still held, unknown names).
 */
import { createTestDatabase, type TestDatabase, uniqueKvPrefix } from '@identity/testing';
import { AccessError } from '../src/access.errors';
import { type AccessTestApp, startAccessApp } from './access-test-app';

describe('AccessService and RoleService', () => {
  let db: TestDatabase;
  let app: AccessTestApp;

  beforeAll(async () => {
    db = await createTestDatabase('access');
    app = await startAccessApp({ databaseUrl: db.url, keyPrefix: uniqueKvPrefix('access') });
  });
  afterAll(async () => {
    await app.close();
    await db.drop();
  });

  const refusal = async (promise: Promise<unknown>): Promise<AccessError> => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AccessError);
    return err as AccessError;
  };

  it('resolves roles and the union of their permissions', async () => {
    const id = await app.newUser();
    await app.access.grantDefaultRole(id);
    expect(await app.access.grantsOf(id)).toEqual({ roles: ['user'], permissions: [] });
    await app.access.grantRole(id, 'admin');
    await app.access.grantRole(id, 'admin');
    expect(await app.access.grantsOf(id)).toEqual({
      roles: ['admin', 'user'],
      permissions: ['identity:admin'],
    });
  });

  it('knows nothing of a user without roles', async () => {
    expect(await app.access.grantsOf(await app.newUser())).toEqual({ roles: [], permissions: [] });
  });

  it('refuses an unknown role at the database too', async () => {
    await expect(app.access.grantRole(await app.newUser(), 'no-such-role')).rejects.toThrow(
      /fk_user_roles_role/,
    );
  });

  it('replaces a user’s roles, refusing unknown ones and unknown users', async () => {
    const id = await app.newUser();
    await app.access.grantDefaultRole(id);
    expect(await app.access.setUserRoles({ userId: id, roles: ['admin', 'admin'] })).toEqual([
      'admin',
    ]);
    expect((await app.access.grantsOf(id)).roles).toEqual(['admin']);
    const unknown = await refusal(
      app.access.setUserRoles({ userId: id, roles: ['user', 'ghost', 'spectre'] }),
    );
    expect(unknown.code).toBe('access.unknown_role');
    expect(unknown.details).toEqual(['ghost', 'spectre']);
    expect((await app.access.grantsOf(id)).roles).toEqual(['admin']);
    for (const userId of ['00000000-0000-4000-8000-000000000000']) {
      expect((await refusal(app.access.setUserRoles({ userId, roles: [] }))).code).toBe(
        'access.user_not_found',
      );
    }
    expect(await app.access.setUserRoles({ userId: id, roles: [] })).toEqual([]);
  });

  it('creates, replaces and deletes a role, each change audited', async () => {
    const created = await app.roles.save({
      name: 'reports',
      permissions: ['reports:read', 'reports:generate', 'reports:read'],
      description: 'Reporting',
      actorId: '00000000-0000-4000-8000-000000000001',
    });
    expect(created).toEqual({
      name: 'reports',
      description: 'Reporting',
      permissions: ['reports:generate', 'reports:read'],
    });
    const replaced = await app.roles.save({ name: 'reports', permissions: ['reports:read'] });
    expect(replaced).toEqual({
      name: 'reports',
      description: 'Reporting',
      permissions: ['reports:read'],
    });
    expect((await app.roles.list()).map((r) => r.name)).toEqual(['admin', 'reports', 'user']);
    await app.roles.delete({ name: 'reports' });
    expect((await app.roles.list()).map((r) => r.name)).toEqual(['admin', 'user']);
    const types = app.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['role.updated', 'role.deleted']));
    expect(app.events.find((e) => e.type === 'role.updated')?.payload).toMatchObject({
      role: 'reports',
      actorId: '00000000-0000-4000-8000-000000000001',
    });
  });

  it('never deletes a built-in role, a held role or an unknown one', async () => {
    for (const name of ['admin', 'user']) {
      expect((await refusal(app.roles.delete({ name }))).code).toBe('access.role_in_use');
    }
    await app.roles.save({ name: 'held', permissions: [] });
    const id = await app.newUser();
    await app.access.setUserRoles({ userId: id, roles: ['held'] });
    expect((await refusal(app.roles.delete({ name: 'held' }))).code).toBe('access.role_in_use');
    expect((await refusal(app.roles.delete({ name: 'ghost' }))).code).toBe('access.role_not_found');
    expect((await refusal(app.roles.delete({ name: 'Not A Name' }))).code).toBe(
      'access.role_not_found',
    );
  });

  it('refuses malformed names and an admin role without identity:admin', async () => {
    expect((await refusal(app.roles.save({ name: 'Bad Name', permissions: [] }))).code).toBe(
      'access.invalid_role_name',
    );
    const invalid = await refusal(
      app.roles.save({ name: 'ok', permissions: ['fine:read', 'no-colon', 'UP:per'] }),
    );
    expect(invalid.code).toBe('access.invalid_permission');
    expect(invalid.details).toEqual(['UP:per', 'no-colon']);
    expect((await refusal(app.roles.save({ name: 'admin', permissions: [] }))).code).toBe(
      'access.admin_permission_required',
    );
  });
});
