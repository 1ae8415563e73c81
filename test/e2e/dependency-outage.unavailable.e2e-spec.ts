/**
 * Outage, not attack: Postgres or Redis goes down under a running instance. A 500 says "bug
 * here" and is not retried by clients or load balancers; the truth is "come back in a few
 * seconds". API.md: a dependency that is down answers 503 `unavailable` with `Retry-After`,
 * never 500, and gRPC answers UNAVAILABLE (which gRPC clients retry), while `/healthz` stays
 * 200 (the process is fine; restarting it would not help). Each half of this file runs the
 * app on a server of its own (a throwaway Postgres in a temporary directory, a throwaway
 * redis-server) and stops it under the app. A request body that cannot be decoded (bad gzip
 * or brotli) is the client's fault: 400, never 500 (a body shorter than its Content-Length
 * is proven in problem-details.filter.spec.ts: Node's HTTP parser answers it before the app
 * when the client half-closes).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import request from 'supertest';
import { freePort, login, type LoggedIn, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { ThrowawayPostgres } from '../support/throwaway-postgres';
import { GrpcTestClient } from './grpc.fixtures';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function expectUnavailable(res: request.Response, what: string): void {
  expect({ what, status: res.status, code: res.body.code }).toEqual({
    what,
    status: 503,
    code: 'unavailable',
  });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['retry-after']).toBe('5');
}

describe('a dependency that is down answers 503 unavailable, never 500', () => {
  const mail = new MailCatcher();
  let smtpPort: number;
  beforeAll(async () => {
    smtpPort = await mail.start();
  });
  afterAll(() => mail.stop());

  describe('Postgres stopped under the app', () => {
    let pg: ThrowawayPostgres;
    let app: TestApp;
    let grpc: GrpcTestClient;
    let session: LoggedIn;
    let creds: { email: string; password: string };

    beforeAll(async () => {
      pg = await ThrowawayPostgres.start();
      app = await startTestApp({
        label: 'pg_down',
        db: { name: 'postgres', url: pg.url, drop: () => Promise.resolve() },
        env: {
          SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
          DATABASE_MIGRATIONS_RUN: 'true',
          DATABASE_POOL_SIZE: '4',
          SHUTDOWN_TIMEOUT_MS: '3000',
        },
      });
      grpc = new GrpcTestClient(app.grpcAddress);
      creds = await registerVerified(app.url, mail);
      session = await login(app.url, creds);
      pg.stop();
    }, 60_000);
    afterAll(async () => {
      grpc?.close();
      await app?.close();
      pg?.destroy();
    });

    it('answers the password, token and session routes 503 with Retry-After', async () => {
      expectUnavailable(await request(app.url).post('/auth/login').send(creds), 'login');
      expectUnavailable(
        await request(app.url)
          .post('/auth/register')
          .send({ email: `new.${randomUUID()}@example.test`, password: creds.password }),
        'register',
      );
      expectUnavailable(
        await request(app.url).post('/auth/refresh').send({ refresh_token: session.refreshToken }),
        'refresh',
      );
      expectUnavailable(
        await request(app.url)
          .get('/auth/sessions')
          .set('Authorization', `Bearer ${session.accessToken}`),
        'sessions',
      );
    });

    it('keeps /healthz 200 and says which dependency failed on /readyz', async () => {
      await request(app.url).get('/healthz').expect(200);
      const ready = await request(app.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.code).toBe('unavailable');
    });

    it('answers gRPC UNAVAILABLE for a lookup that needs Postgres', async () => {
      await expect(grpc.getUserPermissions(randomUUID())).rejects.toMatchObject({
        code: grpcStatus.UNAVAILABLE,
      });
    });
  });

  describe('Redis stopped under the app', () => {
    let redis: ChildProcess;
    let app: TestApp;
    let grpc: GrpcTestClient;
    let session: LoggedIn;

    beforeAll(async () => {
      const port = await freePort();
      redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { stdio: 'ignore' },
      );
      for (let i = 0; i < 50; i++) {
        if (spawnSync('redis-cli', ['-p', String(port), 'ping']).status === 0) break;
        await sleep(100);
      }
      app = await startTestApp({
        label: 'redis_down',
        env: { SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, REDIS_URL: `redis://127.0.0.1:${port}` },
      });
      grpc = new GrpcTestClient(app.grpcAddress);
      session = await login(app.url, await registerVerified(app.url, mail));
      redis.kill('SIGKILL');
      await sleep(300);
    });
    afterAll(async () => {
      grpc?.close();
      await app?.close();
      redis?.kill('SIGKILL');
    });

    it('answers a route that cannot work without Redis 503 with Retry-After', async () => {
      // The MFA step's challenge lives only in Redis.
      expectUnavailable(
        await request(app.url)
          .post('/auth/mfa/verify')
          .send({ mfa_token: 'm'.repeat(43), code: '123456' }),
        'mfa verify',
      );
    });

    it('never answers 500 on the token, session and ops routes', async () => {
      const auth = { Authorization: `Bearer ${session.accessToken}` };
      const answers = {
        me: await request(app.url).get('/auth/me').set(auth),
        sessions: await request(app.url).get('/auth/sessions').set(auth),
        refresh: await request(app.url)
          .post('/auth/refresh')
          .send({ refresh_token: session.refreshToken }),
        healthz: await request(app.url).get('/healthz'),
      };
      for (const [what, res] of Object.entries(answers)) {
        expect({ what, status: res.status }).not.toEqual({ what, status: 500 });
        if (res.status === 503) expectUnavailable(res, what);
      }
      expect(answers.healthz.status).toBe(200);
    });

    it('answers gRPC with a verdict or UNAVAILABLE, never INTERNAL', async () => {
      const outcome = await grpc.verifyToken(session.accessToken).then(
        (reply) => ({ ok: reply.active }),
        (err: { code: number }) => ({ code: err.code }),
      );
      expect([{ ok: true }, { code: grpcStatus.UNAVAILABLE }]).toContainEqual(outcome);
    });
  });

  describe('request bodies that cannot be decoded', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ label: 'bad_bodies' });
    });
    afterAll(() => app?.close());

    const post = (encoding: string, body: Buffer) =>
      request(app.url)
        .post('/auth/login')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', encoding)
        .send(body);

    it('answers 400 malformed_request for bad gzip, deflate and brotli', async () => {
      const garbage = Buffer.from('this is not compressed at all, not even a little');
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const res = await post(encoding, garbage);
        expect({ encoding, status: res.status, code: res.body.code }).toEqual({
          encoding,
          status: 400,
          code: 'malformed_request',
        });
      }
    });

    it('answers 415 for an encoding it does not support', async () => {
      const res = await post('compress', Buffer.from('{}'));
      expect(res.status).toBe(415);
      expect(res.body.code).toBe('unsupported_media_type');
    });
  });
});
