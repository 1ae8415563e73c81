/**
 * A deploy must not fail requests. On SIGTERM an instance that closes its listener and its
 * idle keep-alive connections at once resets requests that clients are sending at that very
 * moment (on a pooled connection they believe is open), and a load balancer that has not yet
 * seen the instance leave keeps sending it new ones that are refused.
 *
 * The order proven here, with keep-alive clients (one pooled connection each) sending
 * throughout: readiness answers 503 at once and every other request is still served for the
 * drain delay; every response from then on carries `Connection: close`; a request in flight
 * (its body still arriving) is answered; a client whose pooled connection sat idle across the
 * listener's close is still answered on it; no request is reset (ECONNRESET, socket hang up);
 * only new connections after the delay are refused; the process exits 0.
 */
import { Agent, request as httpRequest } from 'node:http';
import { createTestDatabase, freePort, type TestDatabase, uniqueKvPrefix } from '@identity/testing';
import { spawnIdentity, waitForHttp } from '../support/process';

const DRAIN_DELAY_MS = 1_500;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  /** ms since SIGTERM when the request was sent (negative: before). */
  sentAt: number;
  path: string;
  status?: number;
  connection?: string;
  error?: string;
}

describe('shutdown without resets', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('shutdown_resets');
  });
  afterAll(() => db.drop());

  it('drains keep-alive clients: not ready first, served through the delay, nothing reset', async () => {
    const port = await freePort();
    const p = spawnIdentity({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: uniqueKvPrefix('shutdown'),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      LOG_LEVEL: 'warn',
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      SHUTDOWN_TIMEOUT_MS: '15000',
    });
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/healthz`, p);

    let sigtermAt = Number.POSITIVE_INFINITY;
    const since = () => Date.now() - sigtermAt;
    const outcomes: Outcome[] = [];
    const send = (agent: Agent, path: string) =>
      new Promise<Outcome>((resolve) => {
        const outcome: Outcome = { sentAt: since(), path };
        const req = httpRequest(`${base}${path}`, { agent }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve({
              ...outcome,
              status: res.statusCode,
              connection: res.headers.connection,
            }),
          );
        });
        req.on('error', (e: NodeJS.ErrnoException) =>
          resolve({ ...outcome, error: e.code ?? e.message }),
        );
        req.end();
      }).then((o) => {
        outcomes.push(o);
        return o;
      });

    // Like a load balancer: a probe of /readyz every 250 ms; once it answers 503, no new
    // request is routed here. Until then keep-alive clients, one pooled connection each, send
    // without pause.
    let routedAway = false;
    let noticedAt = Number.POSITIVE_INFINITY;
    const lbProbe = new Agent({ keepAlive: false });
    const prober = (async () => {
      while (!routedAway) {
        await sleep(250);
        if ((await send(lbProbe, '/readyz')).status === 503) {
          routedAway = true;
          noticedAt = since();
        }
      }
    })();
    const agents = Array.from({ length: 6 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
    const paths = ['/healthz', '/.well-known/jwks.json', '/auth/oidc'];
    const busy = agents.map(async (agent, i) => {
      while (!routedAway) {
        await send(agent, paths[i % paths.length]!);
        await sleep(10);
      }
    });

    // A client whose pooled connection goes idle before SIGTERM and is used again only after
    // the listener has closed.
    const sleeper = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await send(sleeper, '/healthz')).status).toBe(200);

    // A request whose body is still arriving when the listener closes.
    const [head, tail] = ['{"email":"a@b.example",', '"password":"not the password 1"}'];
    const slow = new Promise<Outcome>((resolve) => {
      const req = httpRequest(`${base}/auth/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(head + tail)),
        },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () =>
          resolve({
            sentAt: -1,
            path: 'slow',
            status: res.statusCode,
            connection: res.headers.connection,
          }),
        );
      });
      req.on('error', (e: NodeJS.ErrnoException) =>
        resolve({ sentAt: -1, path: 'slow', error: e.code ?? e.message }),
      );
      req.write(head);
      setTimeout(() => req.end(tail), DRAIN_DELAY_MS + 400);
    });

    await sleep(300);
    sigtermAt = Date.now();
    p.child.kill('SIGTERM');
    const probe = new Agent({ keepAlive: false });
    const readyAtOnce = await send(probe, '/readyz');
    // The server has run its SIGTERM handler by the time /readyz answered 503. A request sent
    // between kill() and then may have been answered before the signal was handled.
    const handledBy = since();

    await Promise.all([prober, ...busy]);
    await sleep(DRAIN_DELAY_MS + 300 - since());
    const late = await send(sleeper, '/healthz');
    // A new connection after the delay: refused (it never reaches the server).
    const refusedLate = await send(new Agent({ keepAlive: false }), '/healthz');
    const slowOutcome = await slow;
    expect(await p.exited).toBe(0);
    for (const agent of [...agents, sleeper, probe, lbProbe]) agent.destroy();

    // Readiness went 503 at once.
    expect(readyAtOnce).toMatchObject({ status: 503 });
    // The load balancer noticed within the delay; until then every request was served.
    expect(noticedAt).toBeLessThan(DRAIN_DELAY_MS - 200);
    const duringDelay = outcomes.filter(
      (o) => o.sentAt > 0 && o.sentAt < DRAIN_DELAY_MS && o.path !== '/readyz',
    );
    expect(duringDelay.length).toBeGreaterThan(5);
    expect(duringDelay.map((o) => o.status ?? o.error)).toEqual(duringDelay.map(() => 200));
    // Nothing was reset, before or after.
    const failures = outcomes.filter((o) => o.error && o !== refusedLate);
    expect(failures).toEqual([]);
    expect(refusedLate.error).toBe('ECONNREFUSED');
    // Every answer to a request sent once the signal was handled told the client to close
    // its connection.
    const answeredAfter = outcomes.filter((o) => o.sentAt >= handledBy && o.status !== undefined);
    expect(answeredAfter.length).toBeGreaterThan(0);
    expect(answeredAfter.every((o) => o.connection === 'close')).toBe(true);
    // The idle pooled connection was still served after the listener closed, and closed.
    expect(late).toMatchObject({ status: 200, connection: 'close' });
    // The request in flight was answered (refused credentials, not a reset).
    expect(slowOutcome.error).toBeUndefined();
    expect(slowOutcome).toMatchObject({ status: 401, connection: 'close' });
  }, 60_000);
});
