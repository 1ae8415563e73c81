/**
 * Redis high availability: the app runs on Redis under Sentinel (a primary, a replica, three
 * Sentinels, quorum 2), and the primary crashes (SIGKILL) while users sign in, refresh and
 * call `/auth/me`. What must hold:
 *  - the app keeps serving: during the switch a request may answer 503 `unavailable` (never
 *    500, never a wrong answer), and once the Sentinels have promoted the replica every
 *    request succeeds again, without a restart (every connection asks the Sentinels again);
 *  - nothing security-relevant is lost with the old primary: a session revoked before the
 *    crash stays revoked (its denylist entry is on the new primary), a rate limit reached
 *    before the crash still answers 429;
 *  - a revocation after the failover lands on the new primary, and its push crosses
 *    instances (the socket.io Redis adapter's pub/sub followed the primary too): a socket
 *    held by a second instance is told when the first one revokes its session.
 * Replication is asynchronous: the test waits for the replica to acknowledge (WAIT) before
 * the crash, as the writes it asserts on would otherwise be racing the kill. README
 * ("Redis high availability") says what a real crash can lose and why Postgres covers it.
 */
import request from 'supertest';
import {
  login,
  type LoggedIn,
  MailCatcher,
  registerVerified,
  uniqueEmail,
} from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { startTestApp, type TestApp } from '../support/app';
import { RedisSentinelSet } from '../support/redis-sentinel-set';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  at: number;
  what: 'me' | 'refresh' | 'login';
  status: number;
  code?: string;
}

describe('Redis Sentinel failover under load', () => {
  const mail = new MailCatcher();
  let sentinels: RedisSentinelSet;
  let app: TestApp;
  /** A second instance on the same Postgres and Redis (same key prefix). */
  let peer: TestApp;
  const sockets: SessionsSocketClient[] = [];

  beforeAll(async () => {
    const smtp = await mail.start();
    sentinels = await RedisSentinelSet.start();
    const env = {
      SMTP_URL: `smtp://127.0.0.1:${smtp}`,
      REDIS_URL: sentinels.url,
      MAIL_PER_EMAIL_PER_HOUR: '2',
    };
    app = await startTestApp({ label: 'redis_sentinel_failover', env });
    peer = await startTestApp({
      label: 'redis_sentinel_failover',
      env,
      db: app.db,
      kvPrefix: app.config.redis.keyPrefix,
    });
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await peer?.close();
    await app?.close();
    await sentinels?.stop();
    await mail.stop();
  });

  const me = (s: LoggedIn) =>
    request(app.url).get('/auth/me').set('Authorization', `Bearer ${s.accessToken}`);
  const forgot = (email: string) => request(app.url).post('/auth/forgot-password').send({ email });
  const denied = async (port: number, sessionId: string) =>
    (await sentinels.client(port).exists(`${app.config.redis.keyPrefix}deny:sid:${sessionId}`)) ===
    1;

  /** One user's traffic: mostly `/auth/me`, a refresh every third call, a login every fifth. */
  function runLoad(creds: { email: string; password: string }, first: LoggedIn) {
    const outcomes: Outcome[] = [];
    let stopped = false;
    let tokens = first;
    const done = (async () => {
      for (let i = 1; !stopped; i++) {
        const what: Outcome['what'] = i % 5 === 0 ? 'login' : i % 3 === 0 ? 'refresh' : 'me';
        const res =
          what === 'me'
            ? await me(tokens)
            : what === 'refresh'
              ? await request(app.url)
                  .post('/auth/refresh')
                  .send({ refresh_token: tokens.refreshToken })
              : await request(app.url).post('/auth/login').send(creds);
        outcomes.push({
          at: Date.now(),
          what,
          status: res.status,
          code: (res.body as { code?: string }).code,
        });
        if (what === 'refresh' && res.status === 200) {
          tokens = {
            accessToken: res.body.access_token,
            refreshToken: res.body.refresh_token,
            sessionId: res.body.session_id,
          };
        }
        await sleep(15);
      }
    })();
    return {
      outcomes,
      /** Calls that succeeded in a row at the end. */
      okStreak: () => {
        let n = 0;
        for (let i = outcomes.length - 1; i >= 0 && outcomes[i]!.status === 200; i--) n++;
        return n;
      },
      stop: async () => {
        stopped = true;
        await done;
      },
    };
  }

  it('keeps serving through a primary crash; revocations and limits hold', async () => {
    // Traffic before anything happens: two users, one loop each.
    const users = [await registerVerified(app.url, mail), await registerVerified(app.url, mail)];
    const loads = await Promise.all(users.map(async (u) => runLoad(u, await login(app.url, u))));

    // A revocation and a reached limit, before the crash.
    const victim = await registerVerified(app.url, mail);
    const revokedBefore = await login(app.url, victim);
    const revokedAfter = await login(app.url, victim);
    const logout = await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${revokedBefore.accessToken}`);
    expect(logout.status).toBe(204);
    expect((await me(revokedBefore)).status).toBe(401);
    const limited = uniqueEmail('limited');
    expect((await forgot(limited)).status).toBe(202);
    expect((await forgot(limited)).status).toBe(202);
    expect((await forgot(limited)).status).toBe(429);

    const oldPrimary = await sentinels.primaryPort();
    await waitUntil(() => denied(oldPrimary, revokedBefore.sessionId));
    await sleep(300); // some traffic on the healthy primary
    await sentinels.syncReplica();

    const killedAt = Date.now();
    await sentinels.killPrimary();
    const newPrimary = await sentinels.waitForNewPrimary(oldPrimary);
    expect(newPrimary).toBe(sentinels.dataPorts[1]);
    const promotedAt = Date.now();
    // Requests can be served without Redis (Postgres fallback, in-process limiter), so a 200
    // alone does not show the app found the new primary: readiness (PING) does.
    await waitUntil(async () => (await request(app.url).get('/readyz')).status === 200, 30_000);
    // Every loop must be back to answering 200, many times in a row, on the new primary.
    const streaks = loads.map((l) => l.outcomes.length);
    await waitUntil(() => loads.every((l, i) => l.outcomes.length - streaks[i]! >= 20), 30_000);
    await waitUntil(() => loads.every((l) => l.okStreak() >= 20), 30_000);
    await Promise.all(loads.map((l) => l.stop()));

    const all = loads.flatMap((l) => l.outcomes);
    const before = all.filter((o) => o.at < killedAt);
    const failed = all.filter((o) => o.status !== 200);
    expect(before.length).toBeGreaterThan(5);
    expect(before.filter((o) => o.status !== 200)).toEqual([]);
    // During the switch: only "try again" answers, and only around the switch itself.
    expect(failed.filter((o) => o.status !== 503 || o.code !== 'unavailable')).toEqual([]);
    const lastFailure = Math.max(killedAt, ...failed.map((o) => o.at));
    expect(lastFailure - promotedAt).toBeLessThan(15_000);
    expect(all.filter((o) => o.at > lastFailure).length).toBeGreaterThanOrEqual(40);

    // Held across the failover: the revocation (its entry replicated) and the limit.
    expect(await denied(newPrimary, revokedBefore.sessionId)).toBe(true);
    expect((await me(revokedBefore)).status).toBe(401);
    const stillLimited = await forgot(limited);
    expect(stillLimited.status).toBe(429);
    expect(stillLimited.body.code).toBe('rate_limited');

    // A revocation after the failover is written to the new primary, and pushed to a socket
    // the other instance holds.
    expect((await me(revokedAfter)).status).toBe(200);
    await waitUntil(async () => (await request(peer.url).get('/readyz')).status === 200, 15_000);
    const socket = await SessionsSocketClient.connect(peer.url, {
      token: revokedAfter.accessToken,
    });
    sockets.push(socket);
    const logoutAfter = await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${revokedAfter.accessToken}`);
    expect(logoutAfter.status).toBe(204);
    expect((await me(revokedAfter)).status).toBe(401);
    await waitUntil(() => denied(newPrimary, revokedAfter.sessionId));
    const pushed = await socket.next('revoked', 5_000);
    expect(pushed.payload).toMatchObject({ session_id: revokedAfter.sessionId });

    // The app's connections are on the new primary (kv, subscriber, socket.io adapter).
    const clients = (await sentinels.client(newPrimary).call('CLIENT', 'LIST')) as string;
    expect(clients.split('\n').filter((l) => / cmd=(?!client)/.test(l)).length).toBeGreaterThan(1);
    expect((await request(app.url).get('/readyz')).status).toBe(200);
  }, 90_000);
});

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 10_000) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await sleep(50);
  }
}
