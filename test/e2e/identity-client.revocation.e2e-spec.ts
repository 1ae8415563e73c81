/**
 * Attack: a token stolen (or simply logged out) keeps working at an internal service that
 * verifies tokens locally, because that service never hears of the revocation: it was made on
 * another instance of the platform, or while the service's connection was down, or while the
 * platform restarted. Or the service, cut off from the platform, lets requests through on
 * stale knowledge.
 *
 * The reporting demo with the SDK (`@identity/identity-client`), against the real platform:
 * - it refuses a token within 100 ms of its session being revoked on another platform
 *   instance, and in the normal path verifies locally: the platform's `/metrics` count no
 *   `VerifyToken` call (and one `GetUserPermissions` per user, cached);
 * - its revocation stream survives a platform restart: revocations made while it was away
 *   (on the other instance) are replayed from its cursor once it is back, nothing missed;
 * - with the platform gone for longer than the staleness bound it fails closed (503), and
 *   verifies nothing on stale knowledge.
 */
import request from 'supertest';
import type { INestApplication } from '@nestjs/common';
import type { IdentityClient } from '@identity/identity-client';
import { login } from '@identity/testing';
import { startReportingApp } from '../../apps/reporting-demo/src/reporting-app';
import type { ReportingIdentitySettings } from '../../apps/reporting-demo/src/reporting.config';
import { startTestApp, type TestApp } from '../support/app';
import { freePort } from '../support/ports';
import { type AdminHarness, bearer, startAdminHarness, type TestUser } from './admin.fixtures';

type Demo = { app: INestApplication; url: string; identity: IdentityClient };

/** How many calls of `method` the platform instance at `url` has answered, by its /metrics. */
async function grpcCalls(url: string, method: 'VerifyToken' | 'GetUserPermissions') {
  const text = (await request(url).get('/metrics').expect(200)).text;
  const pattern = new RegExp(
    `^identity_grpc_calls_total\\{method="identity\\.v1\\.IdentityService/${method}",code="[A-Z_]+"\\} (\\d+)$`,
    'gm',
  );
  return [...text.matchAll(pattern)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** Polls until the demo answers `status` for the token; the milliseconds it took, or throws. */
async function msUntil(demo: Demo, token: string, status: number, withinMs: number) {
  const started = Date.now();
  for (;;) {
    const res = await request(demo.url).post('/reports').set(bearer(token));
    const elapsed = Date.now() - started;
    if (res.status === status) return elapsed;
    if (elapsed > withinMs) throw new Error(`still ${res.status} after ${elapsed} ms`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

async function waitFor(done: () => boolean, withinMs: number, what: string) {
  const deadline = Date.now() + withinMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the SDK against the real platform', () => {
  let h: AdminHarness;
  let b: TestApp;
  const demos: Demo[] = [];

  beforeAll(async () => {
    h = await startAdminHarness({ label: 'sdk_rev', env: { ADMIN_REQUIRE_MFA: 'false' } });
    b = await startTestApp({
      label: 'sdk_rev_b',
      db: h.app.db,
      kvPrefix: h.app.config.redis.keyPrefix,
      // Both instances run the outbox worker: either may send a sign-up's mail.
      env: { SMTP_URL: `smtp://127.0.0.1:${h.mail.port}`, MAIL_PER_IP_PER_HOUR: '10000' },
    });
    await request(h.app.url)
      .put('/admin/roles/reporter')
      .set(bearer(h.admin.accessToken))
      .send({ permissions: ['reports:generate'] })
      .expect(200);
  });
  afterAll(async () => {
    for (const d of demos) await d.app.close();
    await b?.close();
    await h?.close();
  });

  const startDemo = async (identity: Partial<ReportingIdentitySettings> & { address: string }) => {
    const demo = await startReportingApp({
      identity: {
        jwksUrl: `${h.app.url}/.well-known/jwks.json`,
        issuer: h.app.config.jwt.issuer,
        deadlineMs: 500,
        ...identity,
      },
      port: 0,
      host: '127.0.0.1',
      logger: false,
    });
    demos.push(demo);
    return demo;
  };

  const reporter = async (label: string): Promise<TestUser> => {
    const user = await h.signUp(label);
    await request(h.app.url)
      .put(`/admin/users/${user.userId}/roles`)
      .set(bearer(h.admin.accessToken))
      .send({ roles: ['user', 'reporter'] })
      .expect(200);
    return user;
  };

  it('refuses a token within 100 ms of its revocation on another instance, with no VerifyToken call', async () => {
    const demo = await startDemo({ address: b.grpcAddress });
    expect(await demo.identity.whenInSync(5_000)).toBe(true);
    const user = await reporter('pushed');
    const verifyBefore =
      (await grpcCalls(h.app.url, 'VerifyToken')) + (await grpcCalls(b.url, 'VerifyToken'));
    const permissionsBefore = await grpcCalls(b.url, 'GetUserPermissions');

    for (let i = 0; i < 20; i++) {
      await request(demo.url).post('/reports').set(bearer(user.accessToken)).expect(200);
    }
    await request(h.app.url)
      .post('/auth/logout')
      .set(bearer(user.accessToken))
      .send({})
      .expect(204);
    const delay = await msUntil(demo, user.accessToken, 401, 100);
    expect(delay).toBeLessThan(100);

    const verifyAfter =
      (await grpcCalls(h.app.url, 'VerifyToken')) + (await grpcCalls(b.url, 'VerifyToken'));
    expect(verifyAfter - verifyBefore).toBe(0);
    // Permissions were asked once for 20 requests (then cached), on the stream's instance.
    expect((await grpcCalls(b.url, 'GetUserPermissions')) - permissionsBefore).toBe(1);
    expect(demo.identity.status()).toMatchObject({ mode: 'local', verified: { platform: 0 } });
  });

  it('a lock and a role taken away count at once too', async () => {
    const demo = await startDemo({ address: b.grpcAddress });
    expect(await demo.identity.whenInSync(5_000)).toBe(true);
    const demoted = await reporter('demoted');
    const locked = await reporter('locked');
    await request(demo.url).post('/reports').set(bearer(demoted.accessToken)).expect(200);
    await request(demo.url).post('/reports').set(bearer(locked.accessToken)).expect(200);
    const asAdmin = bearer(h.admin.accessToken);
    await request(h.app.url)
      .put(`/admin/users/${demoted.userId}/roles`)
      .set(asAdmin)
      .send({ roles: ['user'] })
      .expect(200);
    expect(await msUntil(demo, demoted.accessToken, 403, 100)).toBeLessThan(100);
    await request(h.app.url).post(`/admin/users/${locked.userId}/lock`).set(asAdmin).expect(204);
    expect(await msUntil(demo, locked.accessToken, 401, 100)).toBeLessThan(100);
  });

  it('survives a platform restart: the stream resumes from its cursor and misses nothing', async () => {
    const grpcPort = await freePort();
    const startA = () =>
      startTestApp({
        label: 'sdk_rev_restart',
        db: h.app.db,
        kvPrefix: h.app.config.redis.keyPrefix,
        env: { GRPC_PORT: String(grpcPort) },
      });
    let a = await startA();
    try {
      // A generous bound: local verification carries on through the restart.
      const demo = await startDemo({ address: a.grpcAddress, maxStalenessMs: 60_000 });
      expect(await demo.identity.whenInSync(5_000)).toBe(true);
      const kept = await reporter('kept');
      const revokedWhileAway = await reporter('away');
      await request(demo.url).post('/reports').set(bearer(kept.accessToken)).expect(200);
      await request(demo.url)
        .post('/reports')
        .set(bearer(revokedWhileAway.accessToken))
        .expect(200);
      const cursorBefore = BigInt(demo.identity.status().stream.cursor);
      const reconnectsBefore = demo.identity.status().stream.reconnects;

      await a.close();
      // While the demo's platform instance is down, the user logs out on the other one.
      await request(b.url)
        .post('/auth/logout')
        .set(bearer(revokedWhileAway.accessToken))
        .send({})
        .expect(204);
      // And signs in again elsewhere: that new session must stay good.
      const again = await login(b.url, {
        email: revokedWhileAway.email,
        password: revokedWhileAway.password,
      });

      a = await startA();
      await waitFor(
        () => {
          const s = demo.identity.status().stream;
          return s.reconnects > reconnectsBefore && s.caughtUp;
        },
        15_000,
        'the stream back and caught up',
      );
      await request(demo.url)
        .post('/reports')
        .set(bearer(revokedWhileAway.accessToken))
        .expect(401);
      await request(demo.url).post('/reports').set(bearer(again.accessToken)).expect(200);
      await request(demo.url).post('/reports').set(bearer(kept.accessToken)).expect(200);
      // Resumed after its cursor, from the restarted instance, locally (no VerifyToken).
      expect(BigInt(demo.identity.status().stream.cursor)).toBeGreaterThan(cursorBefore);
      expect(await grpcCalls(a.url, 'VerifyToken')).toBe(0);
      expect(demo.identity.status().mode).toBe('local');
    } finally {
      await a.close();
    }
  });

  it('fails closed when the platform is away for longer than the staleness bound', async () => {
    const c = await startTestApp({
      label: 'sdk_rev_away',
      db: h.app.db,
      kvPrefix: h.app.config.redis.keyPrefix,
    });
    let stopped = false;
    try {
      const demo = await startDemo({
        address: c.grpcAddress,
        jwksUrl: `${c.url}/.well-known/jwks.json`,
        maxStalenessMs: 600,
      });
      expect(await demo.identity.whenInSync(5_000)).toBe(true);
      const user = await reporter('closed');
      await request(demo.url).post('/reports').set(bearer(user.accessToken)).expect(200);

      await c.close();
      stopped = true;
      // Past the bound (600 ms after the last heartbeat), nothing is verified on stale
      // knowledge: every request is 503.
      const failedAfter = await msUntil(demo, user.accessToken, 503, 1_600);
      expect(failedAfter).toBeLessThan(1_600);
      for (let i = 0; i < 5; i++) {
        await request(demo.url).post('/reports').set(bearer(user.accessToken)).expect(503);
      }
      expect(demo.identity.status().mode).toBe('platform');
    } finally {
      if (!stopped) await c.close();
    }
  });
});
