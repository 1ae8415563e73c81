/**
 * Revocation does not depend on Redis alone. The attack (or accident): a session is revoked
 * (logout, lock, reuse detection) and every access token of it is denylisted in Redis; then
 * Redis loses the entry: it restarts empty, is flushed, or was down when the entry was
 * written. A stolen access token of that session would pass again until its `exp`.
 *
 * Postgres holds the truth (`sessions.status`). An instance that cannot trust its Redis copy
 * (a kv failure, or the completeness key gone with the data) checks the session there, and
 * rewrites the copy from Postgres: every session revoked within the longest an access token
 * lives. Each case runs on a redis-server of its own that the test kills or empties.
 */
import { KV_STORE, type KvStore } from '@identity/kv';
import { DenylistRecovery } from '@identity/tokens';
import { ManualClock } from '@identity/testing';
import { ThrowawayRedis } from '../../../test/support/throwaway-redis';
import {
  accessState,
  createUser,
  openSession,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
} from './sessions-test-app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe('revocation survives Redis losing the denylist', () => {
  const clock = new ManualClock();
  let redis: ThrowawayRedis;
  let app: SessionsTestApp;
  let recovery: DenylistRecovery;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    app = await startSessionsApp('sessions_redis_lost', {}, { clock, redisUrl: redis.url });
    recovery = app.module.get(DenylistRecovery);
  });

  afterAll(async () => {
    await app?.close();
    await redis?.kill();
  });

  /** A user with a session that is then logged out, and a live one. */
  async function revokedAndLive() {
    const userId = await createUser(app);
    const revoked = await openSession(app, userId);
    const live = await openSession(app, userId);
    await app.sessions.logout({ sessionId: revoked.sessionId });
    return { revoked, live };
  }

  /** Until the kv answers again (the client reconnects in the background). */
  const kvBack = () =>
    eventually(() =>
      app.denylist.isDenied('probe', 'probe').then(
        () => true,
        () => false,
      ),
    );

  it('starts with the copy confirmed complete', () => {
    expect(app.denylist.backedByPostgres).toBe(true);
    expect(app.denylist.isTrusted()).toBe(true);
  });

  it('Redis restarted empty: a revoked session stays refused, and the copy is rewritten', async () => {
    const { revoked, live } = await revokedAndLive();
    expect(await accessState(app, revoked.accessToken)).toBe('revoked');

    await redis.kill();
    // The dropped connection alone is noticed: no command had to fail first.
    await eventually(() => !app.denylist.isTrusted());
    await redis.start();
    await kvBack();

    expect(await accessState(app, revoked.accessToken)).toBe('revoked');
    expect(await accessState(app, live.accessToken)).toBe('ok');
    await recovery.attempt();
    expect(app.denylist.isTrusted()).toBe(true);
    expect(await app.denylist.isDenied('none', revoked.sessionId)).toBe(true);
    expect(await accessState(app, revoked.accessToken)).toBe('revoked');
    expect(await accessState(app, live.accessToken)).toBe('ok');
  });

  it('Redis flushed: the same, without any connection failure to notice', async () => {
    const { revoked, live } = await revokedAndLive();
    redis.flushAll();
    expect(await accessState(app, revoked.accessToken)).toBe('revoked');
    expect(await accessState(app, live.accessToken)).toBe('ok');
    await recovery.attempt();
    expect(await app.denylist.isDenied('none', revoked.sessionId)).toBe(true);
  });

  it('failed over to a replica that missed the last entry but holds the completeness key: rewritten', async () => {
    await eventually(() => app.denylist.isTrusted());
    const { revoked, live } = await revokedAndLive();
    const kv = app.module.get<KvStore>(KV_STORE);
    const complete = await kv.get('deny:complete');
    expect(complete).not.toBeNull();

    // What the promoted replica looks like: everything but the newest entry, which the crashed
    // primary had acknowledged and not yet replicated. Nothing fails for this instance to see.
    await redis.kill();
    await redis.start();
    await kvBack();
    await kv.set('deny:complete', complete!);

    await eventually(() => app.denylist.isTrusted());
    expect(await app.denylist.isDenied('none', revoked.sessionId)).toBe(true);
    expect(await accessState(app, revoked.accessToken)).toBe('revoked');
    expect(await accessState(app, live.accessToken)).toBe('ok');
  });

  it('Redis down: logout still revokes, no revoked token passes, live ones do; rebuilt when it returns', async () => {
    const userId = await createUser(app);
    const doomed = await openSession(app, userId);
    const live = await openSession(app, userId);
    const alreadyRevoked = await openSession(app, userId);
    await app.sessions.logout({ sessionId: alreadyRevoked.sessionId });

    await redis.kill();
    // Postgres first: the logout commits and does not throw, although its denylist write fails.
    await app.sessions.logout({ sessionId: doomed.sessionId, accessJti: doomed.accessJti });
    expect((await sessionRow(app, doomed.sessionId)).status).toBe('revoked');
    expect(app.denylist.isTrusted()).toBe(false);

    expect(await accessState(app, doomed.accessToken)).toBe('revoked');
    expect(await accessState(app, alreadyRevoked.accessToken)).toBe('revoked');
    expect(await accessState(app, live.accessToken)).toBe('ok');
    // Still untrusted: nothing could be rebuilt while Redis is away.
    await recovery.attempt();
    expect(app.denylist.isTrusted()).toBe(false);

    await redis.start();
    // The recovery loop (every second) rebuilds on its own once Redis answers.
    await eventually(() => app.denylist.isTrusted());
    expect(await app.denylist.isDenied('none', doomed.sessionId)).toBe(true);
    expect(await app.denylist.isDenied('none', alreadyRevoked.sessionId)).toBe(true);
    expect(await accessState(app, doomed.accessToken)).toBe('revoked');
    expect(await accessState(app, live.accessToken)).toBe('ok');
  });

  it('rewrites only what an access token can still use, each entry for what is left of it', async () => {
    const userId = await createUser(app);
    const old = await openSession(app, userId);
    await app.sessions.logout({ sessionId: old.sessionId });
    const lifetime = app.config.jwt.accessTtl + 5;
    clock.advance(lifetime + 1);
    const recent = await openSession(app, userId);
    await app.sessions.logout({ sessionId: recent.sessionId });
    clock.advance(100);

    redis.flushAll();
    await accessState(app, recent.accessToken); // notices the loss
    await recovery.attempt();
    expect(app.denylist.isTrusted()).toBe(true);
    expect(await app.denylist.isDenied('none', old.sessionId)).toBe(false);
    expect(await app.denylist.isDenied('none', recent.sessionId)).toBe(true);
    const ttl = await app.module.get<KvStore>(KV_STORE).ttl(`deny:sid:${recent.sessionId}`);
    expect(ttl).toBeLessThanOrEqual(lifetime - 100);
    expect(ttl).toBeGreaterThanOrEqual(lifetime - 100 - 2);
  });
});
