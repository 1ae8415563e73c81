/**
 * The app as operators run it: a real process. Bad configuration exits non-zero listing
 * every problem; SIGTERM in the middle of requests finishes them, then exits 0; readiness
 * follows Redis going away and coming back while liveness stays up.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { createTestDatabase, freePort, type TestDatabase, uniqueKvPrefix } from '@identity/testing';
import { spawnIdentity, waitForHttp } from '../support/process';

const base = {
  NODE_ENV: 'test',
  HOST: '127.0.0.1',
  DATABASE_MIGRATIONS_RUN: 'false',
  ARGON2_MEMORY_KIB: '1024',
  ARGON2_TIME_COST: '1',
  LOG_LEVEL: 'warn',
};

describe('process lifecycle', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('process');
  });
  afterAll(() => db.drop());

  it('exits non-zero listing each problem of a bad configuration', async () => {
    const p = spawnIdentity({ ...base, PORT: 'abc', JWT_ALG: 'HS256' });
    expect(await p.exited).toBe(1);
    expect(p.stderr()).toMatch(/Invalid configuration/);
    expect(p.stderr()).toMatch(/PORT/);
    expect(p.stderr()).toMatch(/JWT_ALG/);
  });

  it('refuses to run in production on development defaults', async () => {
    const p = spawnIdentity({ NODE_ENV: 'production', COOKIE_SECURE: 'false' });
    expect(await p.exited).toBe(1);
    for (const name of [
      'DATABASE_URL',
      'REDIS_URL',
      'PASSWORD_PEPPER',
      'KEY_ENCRYPTION_KEY',
      'COOKIE_SECURE',
      'GRPC_TLS_CERT',
    ]) {
      expect(p.stderr()).toContain(name);
    }
  });

  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    const port = await freePort();
    const p = spawnIdentity({
      ...base,
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATABASE_URL: db.url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: uniqueKvPrefix('sigterm'),
      SHUTDOWN_DRAIN_DELAY_MS: '300',
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, p);

    // A request whose body is still arriving when SIGTERM lands: it is in flight for sure.
    const slow = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(`${url}/no-such-endpoint`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': '17' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write('{"email":');
      setTimeout(() => req.end('"a@b.c"}'), 400);
    });
    // And a steady stream of requests, each on a connection of its own (no keep-alive
    // reuse: a client reusing an idle socket the server is closing races by design).
    const outcomes: string[] = [];
    let sending = true;
    const once = () =>
      new Promise<string>((resolve) => {
        const req = httpRequest(`${url}/readyz`, { agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(String(res.statusCode)));
        });
        req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
        req.end();
      });
    // Like a load balancer: stop sending once readiness says the instance is draining.
    const load = (async () => {
      while (sending) {
        const batch = await Promise.all(Array.from({ length: 8 }, once));
        outcomes.push(...batch);
        if (batch.includes('503')) sending = false;
      }
    })();
    await new Promise((r) => setTimeout(r, 150));
    p.child.kill('SIGTERM');
    const result = await slow;
    sending = false;
    await load;
    expect(await p.exited).toBe(0);
    expect(result.status).toBe(404);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'not_found' });
    // Every request sent was answered: 200 before SIGTERM, 503 once draining; none was reset.
    expect(outcomes.filter((o) => o === '200').length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => !['200', '503', 'ECONNREFUSED'].includes(o))).toEqual([]);
  });

  describe('with a Redis of its own', () => {
    let redis: ChildProcess;
    let redisPort: number;
    const startRedis = async () => {
      redis = spawn(
        'redis-server',
        ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        {
          stdio: 'ignore',
        },
      );
      for (let i = 0; i < 50; i++) {
        const ok = await new Promise<boolean>((resolve) => {
          const c = spawn('redis-cli', ['-p', String(redisPort), 'ping'], { stdio: 'ignore' });
          c.on('exit', (code) => resolve(code === 0));
        });
        if (ok) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('redis did not start');
    };
    afterAll(() => {
      redis?.kill('SIGKILL');
    });

    it('reports redis in /readyz when it stops, keeps /healthz up, and recovers', async () => {
      redisPort = await freePort();
      await startRedis();
      const port = await freePort();
      const p = spawnIdentity({
        ...base,
        PORT: String(port),
        GRPC_PORT: String(await freePort()),
        DATABASE_URL: db.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      });
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitForHttp(`${url}/healthz`, p);
        expect((await fetch(`${url}/readyz`)).status).toBe(200);

        redis.kill('SIGKILL');
        await new Promise((r) => setTimeout(r, 300));
        const down = await fetch(`${url}/readyz`);
        expect(down.status).toBe(503);
        expect(down.headers.get('content-type')).toMatch(/application\/problem\+json/);
        const body = (await down.json()) as { failed: string[]; detail: string };
        expect(body.failed).toEqual(['redis']);
        expect(body.detail).toMatch(/redis/);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);

        await startRedis();
        let status = 0;
        for (let i = 0; i < 50 && status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 200));
          status = (await fetch(`${url}/readyz`)).status;
        }
        expect(status).toBe(200);
      } finally {
        p.child.kill('SIGTERM');
        expect(await p.exited).toBe(0);
      }
    });
  });
});
