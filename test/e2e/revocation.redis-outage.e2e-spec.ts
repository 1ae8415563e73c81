/**
 * Revocation does not depend on Redis alone (API.md, Details). The attack: a thief holds an
 * access token of a session that its owner logged out; the token's signature stays valid until
 * `exp`, and the only thing that stops it is the denylist entry in Redis. If Redis is down, or
 * comes back without its data, the entry is gone: every face (`/auth/me`, gRPC `VerifyToken`,
 * the socket handshake) would accept the token again. And a logout while Redis is down must
 * still revoke (204), not fail.
 *
 * Postgres is the truth: logout commits there first; while the denylist cannot be read or may
 * be incomplete, tokens are checked against the session's state in Postgres; the denylist is
 * rebuilt from Postgres when Redis comes back, and `/readyz` answers 503 until it is. The app
 * runs on a redis-server of its own, killed and restarted (empty) under it.
 */
import request from 'supertest';
import { login, type LoggedIn, MailCatcher, registerVerified } from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { startTestApp, type TestApp } from '../support/app';
import { ThrowawayRedis } from '../support/throwaway-redis';
import { GrpcTestClient } from './grpc.fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('revocation with Redis down or emptied', () => {
  const mail = new MailCatcher();
  let redis: ThrowawayRedis;
  let app: TestApp;
  let grpc: GrpcTestClient;
  const sockets: SessionsSocketClient[] = [];

  beforeAll(async () => {
    const smtp = await mail.start();
    redis = await ThrowawayRedis.start();
    app = await startTestApp({
      label: 'revocation_redis_outage',
      env: { SMTP_URL: `smtp://127.0.0.1:${smtp}`, REDIS_URL: redis.url },
    });
    grpc = new GrpcTestClient(app.grpcAddress);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    grpc?.close();
    await app?.close();
    await redis?.kill();
    await mail.stop();
  });

  const me = (s: LoggedIn) =>
    request(app.url).get('/auth/me').set('Authorization', `Bearer ${s.accessToken}`);
  const verify = async (s: LoggedIn) => {
    const reply = await grpc.verifyToken(s.accessToken);
    return reply.active ? 'active' : reply.reason;
  };
  const handshake = async (s: LoggedIn) => {
    try {
      sockets.push(await SessionsSocketClient.connect(app.url, { token: s.accessToken }));
      return 'connected';
    } catch (err) {
      return (err as Error).message;
    }
  };
  async function eventually(check: () => Promise<boolean>, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
      await sleep(100);
    }
  }
  const readiness = () => request(app.url).get('/readyz');

  /** Every face's answer to a token. */
  async function faces(s: LoggedIn) {
    return { me: (await me(s)).status, verify: await verify(s), socket: await handshake(s) };
  }
  const ACCEPTED = { me: 200, verify: 'active', socket: 'connected' };
  const REFUSED = { me: 401, verify: 'revoked', socket: 'unauthorized' };

  it('Redis down: logout answers 204, the revoked session is refused everywhere, live ones work', async () => {
    const creds = await registerVerified(app.url, mail);
    const doomed = await login(app.url, creds, 'doomed');
    const live = await login(app.url, creds, 'live');
    expect((await readiness()).status).toBe(200);

    await redis.kill();
    await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${doomed.accessToken}`)
      .expect(204);
    expect(await faces(doomed)).toEqual(REFUSED);
    expect(await faces(live)).toEqual(ACCEPTED);

    const notReady = await readiness();
    expect(notReady.status).toBe(503);
    // Redis is named as what failed; the denylist waiting for it shows in the checks.
    expect(notReady.body.failed).toEqual(['redis']);
    expect(notReady.body.checks).toMatchObject({ redis: 'down', denylist: 'rebuilding' });

    // Redis comes back empty: the denylist is rebuilt from Postgres, then the instance is ready.
    await redis.start();
    await eventually(async () => (await readiness()).status === 200);
    expect((await readiness()).body.checks).toMatchObject({ redis: 'up', denylist: 'up' });
    expect(await faces(doomed)).toEqual(REFUSED);
    expect(await faces(live)).toEqual(ACCEPTED);
  });

  it('Redis down: every other revocation commits too (one session, sign out everywhere)', async () => {
    const creds = await registerVerified(app.url, mail);
    const keeper = await login(app.url, creds, 'keeper');
    const listed = await login(app.url, creds, 'listed');
    const other = await login(app.url, creds, 'other');
    await redis.kill();
    try {
      await request(app.url)
        .delete(`/auth/sessions/${listed.sessionId}`)
        .set('Authorization', `Bearer ${keeper.accessToken}`)
        .expect(204);
      expect(await faces(listed)).toEqual(REFUSED);
      expect(await faces(other)).toEqual(ACCEPTED);
      await request(app.url)
        .post('/auth/logout-all')
        .set('Authorization', `Bearer ${keeper.accessToken}`)
        .expect(204);
      expect(await faces(other)).toEqual(REFUSED);
      expect(await faces(keeper)).toEqual(REFUSED);
    } finally {
      await redis.start();
    }
    await eventually(async () => (await readiness()).status === 200);
    for (const s of [listed, other, keeper]) expect(await faces(s)).toEqual(REFUSED);
  });

  it('Redis lost its data while up: the revoked session stays refused everywhere', async () => {
    const creds = await registerVerified(app.url, mail);
    const doomed = await login(app.url, creds, 'doomed');
    const live = await login(app.url, creds, 'live');
    await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${doomed.accessToken}`)
      .expect(204);
    expect((await me(doomed)).status).toBe(401);

    redis.flushAll();
    expect(await faces(doomed)).toEqual(REFUSED);
    expect(await faces(live)).toEqual(ACCEPTED);
    await eventually(async () => (await readiness()).status === 200);
    expect(await faces(doomed)).toEqual(REFUSED);
  });
});
