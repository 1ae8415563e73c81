/**
 * Attack/failure: two instances behind a load balancer; an admin changes a user's roles, or
 * locks the account, through instance A, while an internal service keeps asking instance B,
 * whose memory still holds the old answer. B must answer the new truth on the very next call:
 * A answers the admin only once its announcement on the kv channel has gone round.
 */
import request from 'supertest';
import { uniqueKvPrefix } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';
import { GrpcTestClient } from './grpc.fixtures';

describe('permissions across two instances', () => {
  let db: TestDatabase;
  let a: AdminHarness;
  let b: TestApp;
  let grpcB: GrpcTestClient;

  beforeAll(async () => {
    db = await createTestDatabase('grpc_cluster');
    const kvPrefix = uniqueKvPrefix('grpc_cluster');
    a = await startAdminHarness({
      label: 'grpc_cluster_a',
      db,
      kvPrefix,
      env: { ADMIN_REQUIRE_MFA: 'false' },
    });
    // Both instances drain the shared outbox, so B must mail to the same catcher.
    b = await startTestApp({
      label: 'grpc_cluster_b',
      db,
      kvPrefix,
      env: { SMTP_URL: `smtp://127.0.0.1:${a.mail.port}` },
    });
    grpcB = new GrpcTestClient(b.grpcAddress);
  });
  afterAll(async () => {
    grpcB.close();
    await b.close();
    await a.close();
    await db.drop();
  });

  it('B reflects a role change made on A on its next call', async () => {
    const user = await a.signUp('cluster');
    // Warm B's cache first, so the test proves invalidation rather than a cold read.
    expect(await grpcB.getUserPermissions(user.userId)).toEqual({
      user_id: user.userId,
      roles: ['user'],
      permissions: [],
    });
    expect((await grpcB.verifyToken(user.accessToken)).permissions).toEqual([]);

    const asAdmin = bearer(a.admin.accessToken);
    await request(a.app.url)
      .put('/admin/roles/reports')
      .set(asAdmin)
      .send({ permissions: ['reports:generate'] })
      .expect(200);
    await request(a.app.url)
      .put(`/admin/users/${user.userId}/roles`)
      .set(asAdmin)
      .send({ roles: ['reports', 'user'] })
      .expect(200);
    expect(await grpcB.getUserPermissions(user.userId)).toEqual({
      user_id: user.userId,
      roles: ['reports', 'user'],
      permissions: ['reports:generate'],
    });
    expect((await grpcB.verifyToken(user.accessToken)).permissions).toEqual(['reports:generate']);

    await request(a.app.url)
      .put('/admin/roles/reports')
      .set(asAdmin)
      .send({ permissions: [] })
      .expect(200);
    expect((await grpcB.getUserPermissions(user.userId)).permissions).toEqual([]);
  });

  it('B reports user_locked for a lock made on A', async () => {
    const user = await a.signUp('cluster.lock');
    expect((await grpcB.verifyToken(user.accessToken)).active).toBe(true);
    await request(a.app.url)
      .post(`/admin/users/${user.userId}/lock`)
      .set(bearer(a.admin.accessToken))
      .expect(204);
    expect(await grpcB.verifyToken(user.accessToken)).toMatchObject({
      active: false,
      reason: 'user_locked',
    });
  });
});
