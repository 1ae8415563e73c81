/**
 * The admin REST API as API.md states it: look users up, lock (every session dies at once)
 * and unlock, set roles, define and delete roles, read the audit trail page by page, rotate
 * the signing key. Bodies are checked field by field so a leaked column fails a test.
 * (The second-factor demand is off here; `admin.access.e2e-spec.ts` proves it.)
 */
import request from 'supertest';
import { decodeProtectedHeader } from 'jose';
import { login } from '@identity/testing';
import { type AdminHarness, bearer, startAdminHarness, type TestUser } from './admin.fixtures';

const creds = (u: TestUser) => ({ email: u.email, password: u.password });

const USER_FIELDS = [
  'created_at',
  'email',
  'email_verified',
  'id',
  'mfa_enabled',
  'name',
  'roles',
  'status',
];

describe('admin API', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness({ label: 'admin_api', env: { ADMIN_REQUIRE_MFA: 'false' } });
  });
  afterAll(() => h.close());

  const asAdmin = () => {
    const auth = bearer(h.admin.accessToken);
    return {
      get: (path: string) => request(h.app.url).get(path).set(auth),
      post: (path: string) => request(h.app.url).post(path).set(auth),
      put: (path: string, body: unknown) =>
        request(h.app.url)
          .put(path)
          .set(auth)
          .send(body as object),
      delete: (path: string) => request(h.app.url).delete(path).set(auth),
    };
  };
  const expectProblem = (res: request.Response, status: number, code: string) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.body.code).toBe(code);
  };

  describe('users', () => {
    let user: TestUser;
    beforeAll(async () => {
      user = await h.signUp('looked.up');
    });

    it('finds a user by email, case-insensitively, with exactly the documented fields', async () => {
      const res = await asAdmin().get(
        `/admin/users?email=${encodeURIComponent(user.email.toUpperCase())}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(1);
      const [found] = res.body.items;
      expect(Object.keys(found).sort()).toEqual(USER_FIELDS);
      expect(found).toMatchObject({
        id: user.userId,
        email: user.email,
        status: 'active',
        email_verified: true,
        mfa_enabled: false,
        roles: ['user'],
      });
      expect(new Date(found.created_at).toISOString()).toBe(found.created_at);
      const byId = await asAdmin().get(`/admin/users/${user.userId}`);
      expect(byId.status).toBe(200);
      expect(byId.body).toEqual(found);
    });

    it('answers an empty list for an unknown email and 400 for a bad one', async () => {
      const none = await asAdmin().get('/admin/users?email=nobody.here@example.test');
      expect(none.status).toBe(200);
      expect(none.body).toEqual({ items: [] });
      expectProblem(
        await asAdmin().get('/admin/users?email=not-an-email'),
        400,
        'validation_failed',
      );
      expectProblem(await asAdmin().get('/admin/users'), 400, 'validation_failed');
    });

    it('answers 404 for an unknown or malformed id', async () => {
      for (const id of ['00000000-0000-4000-8000-000000000000', 'nope']) {
        expectProblem(await asAdmin().get(`/admin/users/${id}`), 404, 'not_found');
        expectProblem(await asAdmin().post(`/admin/users/${id}/lock`), 404, 'not_found');
        expectProblem(
          await asAdmin().put(`/admin/users/${id}/roles`, { roles: [] }),
          404,
          'not_found',
        );
      }
    });
  });

  describe('lock and unlock', () => {
    it('lock kills every session at once, refuses login, and is audited; unlock lets the user back in', async () => {
      const user = await h.signUp('locked');
      const second = await login(h.app.url, creds(user));
      for (const s of [user, second]) {
        await request(h.app.url).get('/auth/me').set(bearer(s.accessToken)).expect(200);
      }

      await asAdmin().post(`/admin/users/${user.userId}/lock`).expect(204);
      for (const s of [user, second]) {
        await request(h.app.url).get('/auth/me').set(bearer(s.accessToken)).expect(401);
        const refreshed = await request(h.app.url)
          .post('/auth/refresh')
          .send({ refresh_token: s.refreshToken });
        expectProblem(refreshed, 401, 'refresh_invalid');
      }
      expectProblem(
        await request(h.app.url)
          .post('/auth/login')
          .send({ email: user.email, password: user.password }),
        403,
        'account_locked',
      );
      expect((await asAdmin().get(`/admin/users/${user.userId}`)).body.status).toBe('locked');
      // Idempotent.
      await asAdmin().post(`/admin/users/${user.userId}/lock`).expect(204);

      await asAdmin().post(`/admin/users/${user.userId}/unlock`).expect(204);
      expect((await asAdmin().get(`/admin/users/${user.userId}`)).body.status).toBe('active');
      const back = await login(h.app.url, creds(user));
      await request(h.app.url).get('/auth/me').set(bearer(back.accessToken)).expect(200);

      const audit = await asAdmin().get(`/admin/audit?user_id=${user.userId}`);
      const entries = audit.body.items as { type: string; metadata: Record<string, unknown> }[];
      const types = entries.map((e) => e.type);
      expect(types.filter((t) => t === 'user.locked')).toHaveLength(1);
      expect(types.filter((t) => t === 'user.unlocked')).toHaveLength(1);
      expect(entries.find((e) => e.type === 'user.locked')?.metadata).toMatchObject({
        actorId: h.admin.userId,
      });
      const revoked = entries.find((e) => e.type === 'session.revoked');
      expect(revoked?.metadata).toMatchObject({ scope: 'user', reason: 'account_locked' });
      expect(revoked?.metadata.sessionIds).toEqual(
        expect.arrayContaining([user.sessionId, second.sessionId]),
      );
    });
  });

  describe('user roles', () => {
    it('sets roles, refusing an unknown role with validation_failed', async () => {
      const user = await h.signUp('roles');
      const unknown = await asAdmin().put(`/admin/users/${user.userId}/roles`, {
        roles: ['user', 'no-such-role'],
      });
      expectProblem(unknown, 400, 'validation_failed');
      expect(unknown.body.errors).toEqual([
        { field: 'roles', message: expect.stringContaining('no-such-role') },
      ]);
      const set = await asAdmin().put(`/admin/users/${user.userId}/roles`, {
        roles: ['user', 'admin'],
      });
      expect(set.status).toBe(200);
      expect(set.body).toEqual({ roles: ['admin', 'user'] });
      expect((await asAdmin().get(`/admin/users/${user.userId}`)).body.roles).toEqual([
        'admin',
        'user',
      ]);
      // The new admin may use the admin API at once (with MFA off in this suite).
      await request(h.app.url).get('/admin/roles').set(bearer(user.accessToken)).expect(200);
      await asAdmin()
        .put(`/admin/users/${user.userId}/roles`, { roles: ['user'] })
        .expect(200);
      await request(h.app.url).get('/admin/roles').set(bearer(user.accessToken)).expect(403);
    });

    it('refuses a body with other fields or wrong types', async () => {
      const user = await h.signUp('roles.bad');
      for (const body of [{ roles: ['user'], extra: 1 }, { roles: 'user' }, {}]) {
        expectProblem(
          await asAdmin().put(`/admin/users/${user.userId}/roles`, body),
          400,
          'validation_failed',
        );
      }
    });
  });

  describe('roles', () => {
    it('creates, lists, replaces and deletes a role', async () => {
      const created = await asAdmin().put('/admin/roles/auditor', {
        permissions: ['audit:read', 'reports:read'],
        description: 'Reads things',
      });
      expect(created.status).toBe(200);
      expect(created.body).toEqual({
        name: 'auditor',
        description: 'Reads things',
        permissions: ['audit:read', 'reports:read'],
      });
      const replaced = await asAdmin().put('/admin/roles/auditor', {
        permissions: ['audit:read'],
      });
      expect(replaced.body).toEqual({
        name: 'auditor',
        description: 'Reads things',
        permissions: ['audit:read'],
      });
      const list = await asAdmin().get('/admin/roles');
      expect(list.status).toBe(200);
      for (const role of list.body.items) {
        expect(Object.keys(role).sort()).toEqual(['description', 'name', 'permissions']);
      }
      expect(list.body.items).toEqual(
        expect.arrayContaining([
          { name: 'admin', description: expect.any(String), permissions: ['identity:admin'] },
          { name: 'user', description: expect.any(String), permissions: [] },
          { name: 'auditor', description: 'Reads things', permissions: ['audit:read'] },
        ]),
      );
      await asAdmin().delete('/admin/roles/auditor').expect(204);
      expect(
        (await asAdmin().get('/admin/roles')).body.items.map((r: { name: string }) => r.name),
      ).not.toContain('auditor');
      expectProblem(await asAdmin().delete('/admin/roles/auditor'), 404, 'not_found');
    });

    it('refuses to delete admin, user, or a role still held (409 role_in_use)', async () => {
      for (const name of ['admin', 'user']) {
        expectProblem(await asAdmin().delete(`/admin/roles/${name}`), 409, 'role_in_use');
      }
      await asAdmin().put('/admin/roles/held', { permissions: [] }).expect(200);
      const user = await h.signUp('holder');
      await asAdmin()
        .put(`/admin/users/${user.userId}/roles`, { roles: ['user', 'held'] })
        .expect(200);
      expectProblem(await asAdmin().delete('/admin/roles/held'), 409, 'role_in_use');
      await asAdmin()
        .put(`/admin/users/${user.userId}/roles`, { roles: ['user'] })
        .expect(200);
      await asAdmin().delete('/admin/roles/held').expect(204);
    });

    it('refuses malformed names and permissions, and an admin role without identity:admin', async () => {
      for (const [path, body, field] of [
        ['/admin/roles/Bad%20Name', { permissions: [] }, 'name'],
        ['/admin/roles/fine', { permissions: ['no-colon'] }, 'permissions'],
        ['/admin/roles/admin', { permissions: ['reports:read'] }, 'permissions'],
      ] as const) {
        const res = await asAdmin().put(path, body);
        expectProblem(res, 400, 'validation_failed');
        expect(res.body.errors[0].field).toBe(field);
      }
      expectProblem(
        await asAdmin().put('/admin/roles/fine', { permissions: [], name: 'x' }),
        400,
        'validation_failed',
      );
    });
  });

  describe('audit', () => {
    it('pages newest first with keyset cursors and filters', async () => {
      const user = await h.signUp('audited');
      await asAdmin().post(`/admin/users/${user.userId}/lock`).expect(204);
      await asAdmin().post(`/admin/users/${user.userId}/unlock`).expect(204);

      const all = await asAdmin().get(`/admin/audit?user_id=${user.userId}&limit=200`);
      expect(all.status).toBe(200);
      const items = all.body.items as { id: string; type: string; user_id: string }[];
      expect(items.length).toBeGreaterThanOrEqual(5);
      for (const item of all.body.items) {
        expect(Object.keys(item).sort()).toEqual([
          'created_at',
          'id',
          'metadata',
          'type',
          'user_id',
        ]);
        expect(item.user_id).toBe(user.userId);
      }
      const ids = items.map((i) => BigInt(i.id));
      expect([...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0))).toEqual(ids);
      expect(items[0]!.type).toBe('user.unlocked');

      const seen: string[] = [];
      let before: string | null = null;
      do {
        const page: request.Response = await asAdmin().get(
          `/admin/audit?user_id=${user.userId}&limit=2${before ? `&before=${before}` : ''}`,
        );
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.body.items.map((i: { id: string }) => i.id));
        before = page.body.next_before;
      } while (before);
      expect(seen).toEqual(items.map((i) => i.id));

      const locked = await asAdmin().get(`/admin/audit?type=user.locked&user_id=${user.userId}`);
      expect(locked.body.items.map((i: { type: string }) => i.type)).toEqual(['user.locked']);
    });

    it('answers validation_failed for bad filters', async () => {
      for (const query of [
        'type=no.such.event',
        'user_id=not-a-uuid',
        'before=abc',
        'limit=0',
        'limit=many',
        'unknown=1',
      ]) {
        expectProblem(await asAdmin().get(`/admin/audit?${query}`), 400, 'validation_failed');
      }
    });
  });

  describe('keys', () => {
    it('rotates at once: the new key signs, the old one still verifies its tokens', async () => {
      const before = await h.signUp('rotation');
      const oldKid = decodeProtectedHeader(before.accessToken).kid;
      const res = await asAdmin().post('/admin/keys/rotate');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(['kid']);
      expect(res.body.kid).not.toBe(oldKid);
      const after = await login(h.app.url, creds(before));
      expect(decodeProtectedHeader(after.accessToken).kid).toBe(res.body.kid);
      await request(h.app.url).get('/auth/me').set(bearer(before.accessToken)).expect(200);
      const jwks = await request(h.app.url).get('/.well-known/jwks.json');
      expect(jwks.body.keys.map((k: { kid: string }) => k.kid)).toEqual(
        expect.arrayContaining([oldKid, res.body.kid]),
      );
      const rotated = await asAdmin().get('/admin/audit?type=key.rotated&limit=1');
      expect(rotated.body.items[0].metadata).toMatchObject({ kid: res.body.kid, reason: 'manual' });
    });
  });
});
