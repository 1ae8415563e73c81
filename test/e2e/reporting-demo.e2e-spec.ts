/**
 * The flow of the design documents, end to end: a user signs in over the identity service's
 * REST API and calls the reporting service (`apps/reporting-demo`) with the access token; the
 * reporting service trusts it through the platform's SDK (`@identity/identity-client`: local
 * verification, pushed revocations, the platform's permissions) and requires
 * `reports:generate`. 401 without a (good) token, 403 without the permission, 200 once an
 * admin has granted it through the admin API (pushed to the SDK's permission cache); a logout
 * counts within the push delay; and when the identity service cannot answer, the reporting
 * service fails closed.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import type { IdentityClient } from '@identity/identity-client';
import { startReportingApp } from '../../apps/reporting-demo/src/reporting-app';
import { freePort } from '../support/ports';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';

/** Retries `probe` until it answers `status`, for at most `withinMs`; the last answer. */
async function eventually(
  probe: () => Promise<request.Response>,
  status: number,
  withinMs: number,
): Promise<request.Response> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const res = await probe();
    if (res.status === status || Date.now() > deadline) return res;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('reporting demo', () => {
  let h: AdminHarness;
  let demo: { app: INestApplication; url: string; identity: IdentityClient };

  beforeAll(async () => {
    h = await startAdminHarness({ label: 'reporting', env: { ADMIN_REQUIRE_MFA: 'false' } });
    demo = await startReportingApp({
      identity: {
        address: h.app.grpcAddress,
        jwksUrl: `${h.app.url}/.well-known/jwks.json`,
        issuer: h.app.config.jwt.issuer,
      },
      port: 0,
      host: '127.0.0.1',
      logger: false,
    });
    if (!(await demo.identity.whenInSync(5_000))) throw new Error('the SDK never caught up');
  });
  afterAll(async () => {
    await demo.app.close();
    await h.close();
  });

  const generate = (token?: string) => {
    const req = request(demo.url).post('/reports');
    return token ? req.set(bearer(token)) : req;
  };

  it('answers 401 without a token or with a bad one', async () => {
    await generate().expect(401).expect('WWW-Authenticate', 'Bearer');
    await generate('not-a-token').expect(401);
    await request(demo.url).post('/reports').set('Authorization', 'Basic abc').expect(401);
  });

  it('answers 403 without reports:generate, and 200 once an admin grants it', async () => {
    const user = await h.signUp('reporter');
    const denied = await generate(user.accessToken);
    expect(denied.status).toBe(403);
    expect(denied.body.code).toBe('forbidden');

    const asAdmin = bearer(h.admin.accessToken);
    await request(h.app.url)
      .put('/admin/roles/reporter')
      .set(asAdmin)
      .send({ permissions: ['reports:generate'], description: 'May generate reports' })
      .expect(200);
    await request(h.app.url)
      .put(`/admin/users/${user.userId}/roles`)
      .set(asAdmin)
      .send({ roles: ['user', 'reporter'] })
      .expect(200);

    // The same token: permissions are the platform's current ones, the change is pushed.
    const ok = await eventually(() => generate(user.accessToken), 200, 1_000);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ status: 'generated', requested_by: user.userId });

    await request(h.app.url)
      .post('/auth/logout')
      .set(bearer(user.accessToken))
      .send({})
      .expect(204);
    const refused = await eventually(() => generate(user.accessToken), 401, 100);
    expect(refused.status).toBe(401);
  });

  it('fails closed (503) when the identity service cannot be reached', async () => {
    const orphan = await startReportingApp({
      identity: {
        address: `127.0.0.1:${await freePort()}`,
        deadlineMs: 500,
        jwksUrl: `${h.app.url}/.well-known/jwks.json`,
        issuer: h.app.config.jwt.issuer,
      },
      port: 0,
      host: '127.0.0.1',
      logger: false,
    });
    try {
      const user = await h.signUp('orphan');
      const res = await request(orphan.url).post('/reports').set(bearer(user.accessToken));
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('1');
    } finally {
      await orphan.app.close();
    }
  });
});
