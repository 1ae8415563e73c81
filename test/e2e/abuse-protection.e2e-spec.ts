/**
 * Brute force and credential stuffing, as an attacker runs them against the real app:
 * - guessing one account's password from one address meets exponential backoff
 *   (429 too_many_attempts with Retry-After, doubling), and the owner gets in after it;
 * - guessing one account from many addresses meets the per-email budget;
 * - stuffing many accounts from one address meets the per-IP budget;
 * - a spoofed X-Forwarded-For from an untrusted peer changes nothing, while behind a
 *   configured trusted proxy the forwarded address is the client;
 * - mail endpoints and the whole /auth/* surface have budgets too (429 rate_limited);
 * - two instances sharing Redis enforce one limit between them.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import request from 'supertest';
import {
  MailCatcher,
  freePort,
  GOOD_PASSWORD,
  registerVerified,
  uniqueEmail,
  createTestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('abuse protection', () => {
  const mail = new MailCatcher();
  let smtp: string;
  beforeAll(async () => {
    smtp = `smtp://127.0.0.1:${await mail.start()}`;
  });
  afterAll(() => mail.stop());

  describe('login backoff per (email, IP)', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        label: 'abuse_backoff',
        env: {
          SMTP_URL: smtp,
          LOGIN_FREE_FAILURES: '2',
          LOGIN_BACKOFF_BASE: '1',
          LOGIN_BACKOFF_MAX: '4',
        },
      });
    });
    afterAll(() => app.close());

    it('locks after the free failures, doubles the lock, lets the owner in after it', async () => {
      const creds = await registerVerified(app.url, mail);
      const wrong = () =>
        request(app.url)
          .post('/auth/login')
          .send({ email: creds.email, password: 'wrong guess 000' });
      expect((await wrong()).status).toBe(401);
      expect((await wrong()).status).toBe(401);
      // The third failure is answered as usual and starts a 1 s lock.
      expect((await wrong()).status).toBe(401);
      const locked = await request(app.url).post('/auth/login').send(creds);
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('too_many_attempts');
      expect(locked.headers['retry-after']).toBe('1');
      expect(JSON.stringify(locked.body)).not.toMatch(/remaining|attempts left/i);

      await sleep(1100);
      expect((await wrong()).status).toBe(401);
      const doubled = await wrong();
      expect(doubled.status).toBe(429);
      expect(Number(doubled.headers['retry-after'])).toBe(2);
      await sleep(2100);
      // The owner gets in, and success resets the pair's counter.
      expect((await request(app.url).post('/auth/login').send(creds)).status).toBe(200);
      expect((await wrong()).status).toBe(401);
      expect((await wrong()).status).toBe(401);
    });
  });

  describe('budgets and client addresses', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        label: 'abuse_budgets',
        env: {
          SMTP_URL: smtp,
          TRUST_PROXY: '127.0.0.1',
          LOGIN_FREE_FAILURES: '50',
          LOGIN_EMAIL_FAILURES_PER_HOUR: '3',
          LOGIN_IP_FAILURES_PER_HOUR: '4',
          MAIL_PER_EMAIL_PER_HOUR: '2',
          MAIL_PER_IP_PER_HOUR: '5',
        },
      });
    });
    afterAll(() => app.close());

    const from = (ip: string) => ({ 'X-Forwarded-For': ip });

    it('one account guessed from many addresses meets the per-email budget', async () => {
      const creds = await registerVerified(app.url, mail, undefined, undefined);
      for (const ip of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
        const r = await request(app.url)
          .post('/auth/login')
          .set(from(ip))
          .send({ email: creds.email, password: 'nope nope nope' });
        expect(r.status).toBe(401);
      }
      const r = await request(app.url).post('/auth/login').set(from('203.0.113.4')).send(creds);
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('too_many_attempts');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('many accounts stuffed from one address meet the per-IP budget', async () => {
      const ip = '198.51.100.7';
      for (let i = 0; i < 4; i++) {
        const r = await request(app.url)
          .post('/auth/login')
          .set(from(ip))
          .send({ email: uniqueEmail('stuffed'), password: 'leaked password 1' });
        expect(r.status).toBe(401);
      }
      const r = await request(app.url)
        .post('/auth/login')
        .set(from(ip))
        .send({ email: uniqueEmail('stuffed'), password: 'leaked password 1' });
      expect(r.status).toBe(429);
      // Another address is not affected.
      const other = await request(app.url)
        .post('/auth/login')
        .set(from('198.51.100.8'))
        .send({ email: uniqueEmail('x'), password: 'leaked password 1' });
      expect(other.status).toBe(401);
    });

    it('mail endpoints share a per-email budget, counted alike for unknown emails', async () => {
      const ip = '192.0.2.10';
      // Unknown address: two mail requests pass, the third is refused.
      const unknown = uniqueEmail('mailbudget');
      const a = await request(app.url)
        .post('/auth/forgot-password')
        .set(from(ip))
        .send({ email: unknown });
      const b = await request(app.url)
        .post('/auth/resend-verification')
        .set(from(ip))
        .send({ email: unknown });
      const c = await request(app.url)
        .post('/auth/forgot-password')
        .set(from(ip))
        .send({ email: unknown });
      expect([a.status, b.status, c.status]).toEqual([202, 202, 429]);
      expect(c.body.code).toBe('rate_limited');
      expect(Number(c.headers['retry-after'])).toBeGreaterThan(0);
      // Known address: its registration was the first request; the same total is refused.
      const known = (await registerVerified(app.url, mail)).email;
      const d = await request(app.url)
        .post('/auth/forgot-password')
        .set(from(ip))
        .send({ email: known });
      const e = await request(app.url)
        .post('/auth/resend-verification')
        .set(from(ip))
        .send({ email: known });
      expect([d.status, e.status]).toEqual([202, 429]);
      expect(e.body).toEqual(c.body);
    });

    it('mail endpoints have a per-IP budget', async () => {
      const ip = '192.0.2.99';
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        statuses.push(
          (
            await request(app.url)
              .post('/auth/forgot-password')
              .set(from(ip))
              .send({ email: uniqueEmail('ipbudget') })
          ).status,
        );
      }
      expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    });
  });

  describe('untrusted peers cannot spoof their address', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({
        label: 'abuse_spoof',
        env: { SMTP_URL: smtp, LOGIN_FREE_FAILURES: '50', LOGIN_IP_FAILURES_PER_HOUR: '3' },
      });
    });
    afterAll(() => app.close());

    it('a fresh X-Forwarded-For per request does not move the attacker to a fresh counter', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await request(app.url)
          .post('/auth/login')
          .set('X-Forwarded-For', `10.9.8.${i}`)
          .send({ email: uniqueEmail('spoof'), password: 'guess guess guess' });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    });
  });

  describe('the general /auth/* budget', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ label: 'abuse_general', env: { AUTH_PER_IP_PER_MINUTE: '5' } });
    });
    afterAll(() => app.close());

    it('answers 429 rate_limited past the budget, and leaves other routes alone', async () => {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await request(app.url).post('/auth/refresh').send({})).status);
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      const limited = await request(app.url).get('/auth/me');
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('rate_limited');
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect((await request(app.url).get('/healthz')).status).toBe(200);
      expect((await request(app.url).get('/.well-known/jwks.json')).status).toBe(200);
    });
  });

  describe('two instances sharing Redis', () => {
    it('enforce one limit between them', async () => {
      const db = await createTestDatabase('abuse_cluster');
      const kvPrefix = uniqueKvPrefix('abuse_cluster');
      const env = { SMTP_URL: smtp, LOGIN_FREE_FAILURES: '50', LOGIN_EMAIL_FAILURES_PER_HOUR: '2' };
      const a = await startTestApp({ label: 'abuse_a', db, kvPrefix, env });
      const b = await startTestApp({ label: 'abuse_b', db, kvPrefix, env });
      try {
        const creds = await registerVerified(a.url, mail);
        const wrong = { email: creds.email, password: 'wrong wrong wrong' };
        expect((await request(a.url).post('/auth/login').send(wrong)).status).toBe(401);
        expect((await request(b.url).post('/auth/login').send(wrong)).status).toBe(401);
        expect((await request(a.url).post('/auth/login').send(creds)).status).toBe(429);
        expect((await request(b.url).post('/auth/login').send(creds)).status).toBe(429);
      } finally {
        await a.close();
        await b.close();
        await db.drop();
      }
    });
  });

  describe('breached-password check (k-anonymity range API)', () => {
    const breached = 'this one leaked in 2019!';
    const sha1 = createHash('sha1').update(breached).digest('hex').toUpperCase();
    const requested: string[] = [];
    let range: Server;
    let app: TestApp;
    beforeAll(async () => {
      range = createServer((req, res) => {
        requested.push(req.url ?? '');
        const prefix = (req.url ?? '').split('/').pop() ?? '';
        res.end(
          prefix === sha1.slice(0, 5)
            ? `0000000000000000000000000000000000A:0\r\n${sha1.slice(5)}:42\r\n`
            : 'FFFF:1\r\n',
        );
      });
      await new Promise<void>((r) => range.listen(0, '127.0.0.1', () => r()));
      const port = (range.address() as { port: number }).port;
      app = await startTestApp({
        label: 'abuse_breached',
        env: { SMTP_URL: smtp, BREACHED_PASSWORD_API_URL: `http://127.0.0.1:${port}` },
      });
    });
    afterAll(async () => {
      await app.close();
      await new Promise((r) => range.close(r));
    });

    it('refuses a listed password, sending only the first 5 hex characters of its SHA-1', async () => {
      const res = await request(app.url)
        .post('/auth/register')
        .send({ email: uniqueEmail('pwned'), password: breached });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('weak_password');
      expect(res.body.errors[0].message).toMatch(/breach/);
      expect(requested).toContain(`/range/${sha1.slice(0, 5)}`);
      expect(requested.join('')).not.toContain(sha1.slice(5));
      const ok = await request(app.url)
        .post('/auth/register')
        .send({ email: uniqueEmail('fine'), password: GOOD_PASSWORD });
      expect(ok.status).toBe(202);
    });

    it('an unreachable range server lets registration through (fail open)', async () => {
      const closed = await freePort();
      const other = await startTestApp({
        label: 'abuse_breached_down',
        env: { SMTP_URL: smtp, BREACHED_PASSWORD_API_URL: `http://127.0.0.1:${closed}` },
      });
      try {
        const res = await request(other.url)
          .post('/auth/register')
          .send({ email: uniqueEmail('open'), password: breached });
        expect(res.status).toBe(202);
      } finally {
        await other.close();
      }
    });
  });

  describe('with Redis stopped mid-test', () => {
    let redis: ChildProcess;
    let app: TestApp;
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
        label: 'abuse_redis_down',
        env: {
          SMTP_URL: smtp,
          REDIS_URL: `redis://127.0.0.1:${port}`,
          LOGIN_FREE_FAILURES: '2',
          LOGIN_BACKOFF_BASE: '30',
        },
      });
    });
    afterAll(async () => {
      await app.close();
      redis.kill('SIGKILL');
    });

    it('login still answers and still limits', async () => {
      const creds = await registerVerified(app.url, mail);
      redis.kill('SIGKILL');
      await sleep(300);
      expect((await request(app.url).post('/auth/login').send(creds)).status).toBe(200);
      const wrong = () =>
        request(app.url)
          .post('/auth/login')
          .send({ email: creds.email, password: 'wrong while down' });
      expect((await wrong()).status).toBe(401);
      expect((await wrong()).status).toBe(401);
      expect((await wrong()).status).toBe(401);
      const locked = await wrong();
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('too_many_attempts');
      const ready = await request(app.url).get('/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.failed).toContain('redis');
      expect(ready.body.degraded).toEqual(['rate_limits']);
    });
  });
});
