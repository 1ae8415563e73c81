/**
 * Errors are logged once, where they can be found. An operator looking for the request a
 * client reported (by its `X-Request-Id`) must find one line for it whatever refused it, also
 * a body refused before Nest's router ever saw it (malformed JSON, a wrong content type, bad
 * gzip), which the access log never sees. And an outage is one warning, not one per request:
 * with Redis down, every request that needs it answers 503, and a line each would bury the
 * rest of the log; the outage is logged once when it starts and once when it ends.
 */
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { startTestApp, type TestApp } from '../support/app';
import { ThrowawayRedis } from '../support/throwaway-redis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { id?: string };
  service?: string;
  status?: number;
  res?: { statusCode?: number };
  dependency?: string;
}

describe('error logging: one line per answered error, one warning per outage', () => {
  let redis: ThrowawayRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await ThrowawayRedis.start();
    app = await startTestApp({ label: 'error_logging', env: { REDIS_URL: redis.url } });
  });
  afterAll(async () => {
    await app?.close();
    await redis?.kill();
  });

  const lines = (): LogLine[] => app.logs.map((l) => JSON.parse(l) as LogLine);
  /** The lines that name this request id (the access log's `req.id`, or a `reqId` field). */
  const linesOf = (id: string) => lines().filter((l) => l.req?.id === id || l.reqId === id);
  async function settled() {
    // Log lines are written when the response finishes; give the stream a moment.
    await sleep(100);
  }

  it('every refused request has exactly one line with its request id and status', async () => {
    const cases: [string, (r: request.Test) => request.Test, number][] = [
      ['malformed-json', (r) => r.set('Content-Type', 'application/json').send('{"email":'), 400],
      ['wrong-type', (r) => r.set('Content-Type', 'text/plain').send('hello'), 415],
      [
        'bad-gzip',
        (r) =>
          r
            .set('Content-Type', 'application/json')
            .set('Content-Encoding', 'gzip')
            .send(Buffer.from('not gzip at all')),
        400,
      ],
      [
        'too-large',
        (r) => r.set('Content-Type', 'application/json').send({ x: 'y'.repeat(200_000) }),
        413,
      ],
      ['invalid-fields', (r) => r.send({ email: 1 }), 400],
    ];
    for (const [id, build, status] of cases) {
      const res = await build(request(app.url).post('/auth/login').set('X-Request-Id', id));
      expect({ id, status: res.status }).toEqual({ id, status });
      expect(res.headers['x-request-id']).toBe(id);
    }
    const notFound = await request(app.url).get('/no/such/route').set('X-Request-Id', 'nf-1');
    expect(notFound.status).toBe(404);
    await settled();
    for (const [id, , status] of [...cases, ['nf-1', null, 404] as const]) {
      const mine = linesOf(id);
      expect({ id, count: mine.length }).toEqual({ id, count: 1 });
      expect(mine[0]!.status ?? mine[0]!.res?.statusCode).toBe(status);
      // In pino's base bindings: the access log's lines and those logged by hand alike.
      expect(mine[0]!.service).toBe('identity');
    }
    // The lines hold no body: a gzip of a password would be a secret in the log otherwise.
    expect(app.logs.join('\n')).not.toContain(gzipSync('x').toString('base64'));
  });

  it('a Redis outage is one warning however many 503s, then one line when it is back', async () => {
    const outage = () =>
      lines().filter(
        (l) => l.dependency === 'redis' && /unavailable/.test(l.msg) && l.level === 40,
      );
    const back = () => lines().filter((l) => l.dependency === 'redis' && l.msg === 'redis is back');
    expect(outage()).toHaveLength(0);

    await redis.kill();
    const ids = Array.from({ length: 6 }, (_, i) => `outage-${i}`);
    for (const id of ids) {
      // The MFA step's challenge lives only in Redis: this route cannot answer without it.
      const res = await request(app.url)
        .post('/auth/mfa/verify')
        .set('X-Request-Id', id)
        .send({ mfa_token: 'm'.repeat(43), code: '123456' });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('unavailable');
      expect(res.headers['retry-after']).toBe('5');
    }
    await settled();
    expect(outage()).toHaveLength(1);
    // Each 503 still has its own line, with its request id.
    for (const id of ids) expect(linesOf(id).map((l) => l.res?.statusCode)).toContain(503);

    await redis.start();
    const deadline = Date.now() + 10_000;
    while (back().length === 0 && Date.now() < deadline) await sleep(100);
    expect(back()).toHaveLength(1);
    expect(outage()).toHaveLength(1);
  });
});
