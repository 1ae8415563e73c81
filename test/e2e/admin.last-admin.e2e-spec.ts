/**
 * Attack (or accident): the platform left without anyone who can administer it. An admin
 * who locks or demotes themself, or two admins who lock each other at the same moment, would
 * leave no unlocked `admin`, and nobody could grant the role again but by editing the
 * database. Property: a lock or a role change that would leave no unlocked admin answers 409
 * `last_admin` and changes nothing, also when two such changes race.
 */
import request from 'supertest';
import { type AdminHarness, bearer, startAdminHarness, type TestUser } from './admin.fixtures';

describe('the last unlocked admin', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await startAdminHarness({ label: 'admin_last', env: { ADMIN_REQUIRE_MFA: 'false' } });
  });
  afterAll(() => h.close());
  /** The admin who remains after the first test. */
  let second: TestUser;

  const as = (token: string) => ({
    post: (path: string) => request(h.app.url).post(path).set(bearer(token)),
    put: (path: string, body: object) => request(h.app.url).put(path).set(bearer(token)).send(body),
    get: (path: string) => request(h.app.url).get(path).set(bearer(token)),
  });

  it('cannot lock nor demote themself; with a second admin, the change goes through', async () => {
    const admin = as(h.admin.accessToken);
    const locked = await admin.post(`/admin/users/${h.admin.userId}/lock`);
    expect(locked.status).toBe(409);
    expect(locked.body.code).toBe('last_admin');
    const demoted = await admin.put(`/admin/users/${h.admin.userId}/roles`, { roles: ['user'] });
    expect(demoted.status).toBe(409);
    expect(demoted.body.code).toBe('last_admin');
    // Nothing changed: still an unlocked admin with a live session.
    expect((await admin.get(`/admin/users/${h.admin.userId}`)).body).toMatchObject({
      status: 'active',
      roles: ['admin', 'user'],
    });

    second = await h.signUp('second-admin');
    await admin
      .put(`/admin/users/${second.userId}/roles`, { roles: ['admin', 'user'] })
      .expect(200);
    await as(second.accessToken)
      .put(`/admin/users/${h.admin.userId}/roles`, { roles: ['user'] })
      .expect(200);
    // Now `second` is the last one.
    const last = await as(second.accessToken).post(`/admin/users/${second.userId}/lock`);
    expect(last.body.code).toBe('last_admin');
  });

  it('two admins locking each other at once: exactly one lock goes through', async () => {
    const other = await h.signUp('racer');
    await as(second.accessToken)
      .put(`/admin/users/${other.userId}/roles`, { roles: ['admin', 'user'] })
      .expect(200);
    const [one, two] = await Promise.all([
      as(second.accessToken).post(`/admin/users/${other.userId}/lock`),
      as(other.accessToken).post(`/admin/users/${second.userId}/lock`),
    ]);
    expect([one.status, two.status].sort()).toEqual([204, 409]);
    expect([one, two].find((r) => r.status === 409)!.body.code).toBe('last_admin');
  });
});
