/**
 * Revocation push across instances, behind a real load balancer. The attack: the platform
 * runs as N stateless instances behind a round-robin proxy, so the browser's socket and the
 * request that kills its session (a logout-all on a stolen laptop's behalf) land on different
 * instances; a push that only reaches sockets of the instance that handled the request leaves
 * the thief's tab signed in. Two app instances share one Postgres and one Redis (the socket.io
 * Redis adapter); nginx (Debian package, generated config, `daemon off`, loopback) balances
 * them round robin with no stickiness. The test proves which instance held the socket and
 * which handled the revocation.
 *
 * Needs nginx installed (.ci/run installs it); without it every test here fails and says so.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  createTestDatabase,
  login,
  type LoggedIn,
  MailCatcher,
  registerVerified,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { SessionsGateway } from '../../apps/identity/src/ws/sessions.gateway';
import { startTestApp, type TestApp } from '../support/app';
import { type NginxProxy, startNginx } from '../support/nginx';

describe('cluster: revocation push through nginx across two instances', () => {
  const mail = new MailCatcher();
  let db: TestDatabase;
  let instances: [TestApp, TestApp];
  let nginx: NginxProxy;
  const clients: SessionsSocketClient[] = [];
  let bystander: SessionsSocketClient;

  const hostPort = (app: TestApp) => new URL(app.url).host;
  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  /** The instance whose gateway holds a socket of `sessionId` (exactly one must). */
  function holderOf(sessionId: string): { holder: TestApp; other: TestApp } {
    const holding = instances.filter((app) =>
      [...app.running.app.get(SessionsGateway).server.sockets.values()].some(
        (s) => s.data.sessionId === sessionId,
      ),
    );
    expect(holding).toHaveLength(1);
    const holder = holding[0]!;
    return { holder, other: instances.find((app) => app !== holder)! };
  }

  async function connectThroughNginx(session: LoggedIn): Promise<SessionsSocketClient> {
    const client = await SessionsSocketClient.connect(nginx.url, { token: session.accessToken });
    clients.push(client);
    return client;
  }

  /** Asserts the request tagged `requestId` was answered by `app` (nginx's log and the apps' logs). */
  async function expectHandledBy(requestId: string, app: TestApp): Promise<void> {
    const notApp = instances.find((i) => i !== app)!;
    const entry = await eventually(() => nginx.accessLog().find((e) => e.requestId === requestId));
    expect(entry.upstream).toBe(hostPort(app));
    expect(app.logs.some((line) => line.includes(requestId))).toBe(true);
    expect(notApp.logs.some((line) => line.includes(requestId))).toBe(false);
  }

  async function expectRevoked(
    client: SessionsSocketClient,
    expected: Record<string, unknown>,
    startedAt: number,
  ): Promise<void> {
    const { payload, receivedAt } = await client.next('revoked', 1_000);
    expect(payload).toEqual({ ...expected, at: expect.any(String) });
    expect(receivedAt - startedAt).toBeLessThan(1_000);
    expect(await client.disconnected(1_000)).toBe('io server disconnect');
  }

  beforeAll(async () => {
    const smtp = await mail.start();
    db = await createTestDatabase('cluster');
    const kvPrefix = uniqueKvPrefix('cluster');
    const env = { SMTP_URL: `smtp://127.0.0.1:${smtp}` };
    instances = [
      await startTestApp({ label: 'cluster-a', db, kvPrefix, env }),
      await startTestApp({ label: 'cluster-b', db, kvPrefix, env }),
    ];
    nginx = await startNginx({ upstreams: instances.map(hostPort) });
    const other = await login(nginx.url, await registerVerified(nginx.url, mail), 'bystander');
    bystander = await connectThroughNginx(other);
  });

  /** The other user's socket never hears of these revocations and stays connected. */
  async function expectBystanderUntouched(): Promise<void> {
    await new Promise((r) => setTimeout(r, 300));
    expect(bystander.received).toEqual([]);
    expect(bystander.connected).toBe(true);
  }

  afterEach(async () => {
    // Unset when beforeAll failed (e.g. no nginx): its error is the report.
    if (bystander) await expectBystanderUntouched();
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await nginx?.stop();
    for (const app of instances ?? []) await app?.close();
    await db?.drop();
    await mail.stop();
  });

  it('nginx balances round robin over both instances (no stickiness)', async () => {
    const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    for (const id of ids) {
      await request(nginx.url).get('/auth/me').set('X-Request-Id', id).expect(401);
    }
    const upstreams = await eventually(() => {
      const found = ids.map((id) => nginx.accessLog().find((e) => e.requestId === id)?.upstream);
      return found.every(Boolean) ? found : undefined;
    });
    expect(new Set(upstreams)).toEqual(new Set(instances.map(hostPort)));
    expect(upstreams[0]).not.toBe(upstreams[1]);
  });

  it('a socket on one instance hears a logout-all sent through nginx to the other one', async () => {
    const victim = await login(nginx.url, await registerVerified(nginx.url, mail), 'laptop');
    const socket = await connectThroughNginx(victim);
    const { other } = holderOf(victim.sessionId);

    // One nginx worker alternates strictly: the request after the socket's upgrade goes to
    // the other instance. Checked below from nginx's log and both apps' logs.
    const requestId = `cluster-logout-all-${randomUUID()}`;
    const startedAt = Date.now();
    await request(nginx.url)
      .post('/auth/logout-all')
      .set(bearer(victim.accessToken))
      .set('X-Request-Id', requestId)
      .expect(204);

    await expectRevoked(socket, { scope: 'user', reason: 'logout_all' }, startedAt);
    await expectHandledBy(requestId, other);
  });

  it('sockets connected through nginx hear revocations sent straight to the other instance', async () => {
    const creds = await registerVerified(nginx.url, mail);
    const phone = await login(nginx.url, creds, 'phone');
    const laptop = await login(nginx.url, creds, 'laptop');
    const phoneSocket = await connectThroughNginx(phone);
    const laptopSocket = await connectThroughNginx(laptop);

    // Session scope: the phone is signed out from the laptop, on the instance without its socket.
    const phoneSide = holderOf(phone.sessionId);
    let startedAt = Date.now();
    await request(phoneSide.other.url)
      .delete(`/auth/sessions/${phone.sessionId}`)
      .set(bearer(laptop.accessToken))
      .expect(204);
    await expectRevoked(
      phoneSocket,
      { scope: 'session', session_id: phone.sessionId, reason: 'session_revoked' },
      startedAt,
    );
    expect(laptopSocket.received).toEqual([]);
    expect(laptopSocket.connected).toBe(true);

    // User scope: logout-all on the instance without the laptop's socket.
    const laptopSide = holderOf(laptop.sessionId);
    startedAt = Date.now();
    await request(laptopSide.other.url)
      .post('/auth/logout-all')
      .set(bearer(laptop.accessToken))
      .expect(204);
    await expectRevoked(laptopSocket, { scope: 'user', reason: 'logout_all' }, startedAt);
  });
});

/** Polls `probe` until it returns a value (nginx writes its access log after the response). */
async function eventually<T>(probe: () => T | undefined, timeoutMs = 2_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
