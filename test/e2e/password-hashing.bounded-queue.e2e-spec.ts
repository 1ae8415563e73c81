/**
 * Attack: a flood of logins (credential stuffing, or a plain denial of service). Each login
 * costs one argon2 verify, and at most ARGON2_CONCURRENCY run at once; the rest used to wait
 * in a queue without bound, so a flood built a backlog of minutes and every real user's login
 * waited behind it until their client gave up. Now at most ARGON2_QUEUE_LIMIT logins wait:
 * the rest are answered 503 `overloaded` with Retry-After at once, the process stays live
 * (`/healthz`), and a real login once the flood passes works. Here the app computes one hash
 * at a time with two waiters allowed, at the production argon2 parameters so a verify takes
 * long enough (tens of ms) for the flood to find the queue full.
 */
import request from 'supertest';
import { login, MailCatcher, registerVerified, uniqueEmail } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';

interface Answer {
  status: number;
  ms: number;
  body: { code?: string };
  contentType: string | null;
  retryAfter: string | null;
}

async function timedLogin(url: string, email: string): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'not the password of anyone 7' }),
  });
  const body = (await res.json()) as { code?: string };
  return {
    status: res.status,
    ms: performance.now() - started,
    body,
    contentType: res.headers.get('content-type'),
    retryAfter: res.headers.get('retry-after'),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('password hashing has a bounded queue', () => {
  const mail = new MailCatcher();
  let app: TestApp;

  beforeAll(async () => {
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'argon2_queue',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp}`,
        ARGON2_MEMORY_KIB: '19456',
        ARGON2_TIME_COST: '2',
        ARGON2_CONCURRENCY: '1',
        ARGON2_QUEUE_LIMIT: '2',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await mail.stop();
  });

  it('sheds a login flood with 503 overloaded at once, stays live, and serves a real login after', async () => {
    const creds = await registerVerified(app.url, mail);

    const flood = Array.from({ length: 40 }, () => timedLogin(app.url, uniqueEmail('flood')));
    const health = request(app.url).get('/healthz');
    const answers = await Promise.all(flood);
    expect((await health).status).toBe(200);

    const shed = answers.filter((a) => a.status === 503);
    const served = answers.filter((a) => a.status !== 503);
    // Unknown emails: whatever got a slot is an ordinary wrong-credentials answer.
    expect(new Set(served.map((a) => a.status))).toEqual(new Set([401]));
    expect(served.length).toBeGreaterThanOrEqual(3); // one computing + two waiting, at least
    expect(shed.length).toBeGreaterThanOrEqual(20);
    for (const a of shed) {
      expect(a.body.code).toBe('overloaded');
      expect(a.contentType).toMatch(/^application\/problem\+json/);
      expect(a.retryAfter).toMatch(/^[1-9]\d*$/);
    }
    // Shed requests do not wait for the queue: they answer before the slowest served login.
    expect(median(shed.map((a) => a.ms))).toBeLessThan(Math.max(...served.map((a) => a.ms)));

    const metrics = await request(app.url).get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      new RegExp(`^identity_password_hash_shed_total ${shed.length}$`, 'm'),
    );
    expect(metrics.text).toMatch(/^identity_password_hash_queue_depth 0$/m);
    expect(metrics.text).toMatch(/^identity_password_hash_queue_limit 2$/m);

    await expect(login(app.url, creds)).resolves.toMatchObject({
      accessToken: expect.any(String),
    });
  });
});
