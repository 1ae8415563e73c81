/**
 * Attack: guessing on while Redis is down (or knocking it over first), hoping the limits fail
 * open; or hoping the limiter's failure takes the login endpoint down with it.
 *
 * Defence: each Redis-backed limiter has an in-process insurance limiter
 * (rate-limiter-flexible's `insuranceLimiter`): calls still answer, limits still hold (per
 * instance), nothing throws, and `ProtectionStatus.degraded()` says so for readiness.
 */
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import {
  expectThrottled,
  fail,
  mfaFail,
  mfaProbe,
  probe,
  startProtectionApp,
  uniqueSource,
  type ProtectionTestApp,
} from './protection-test-app';

/** Nothing listens on port 1 of loopback: every connection attempt is refused at once. */
const CLOSED_REDIS_URL = 'redis://127.0.0.1:1';

const LIMITS = {
  LOGIN_FREE_FAILURES: '2',
  LOGIN_BACKOFF_BASE: '1',
  LOGIN_BACKOFF_MAX: '4',
  MFA_FAILURES_PER_TOKEN: '2',
  MFA_FAILURES_PER_USER_PER_HOUR: '3',
  MAIL_PER_EMAIL_PER_HOUR: '2',
  AUTH_PER_IP_PER_MINUTE: '3',
};

const source = uniqueSource();
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('protection_outage');
});

afterAll(async () => {
  await db.drop();
});

describe('with Redis unreachable', () => {
  let app: ProtectionTestApp;

  beforeAll(async () => {
    app = await startProtectionApp({
      databaseUrl: db.url,
      redisUrl: CLOSED_REDIS_URL,
      keyPrefix: uniqueKvPrefix('protection-outage'),
      env: LIMITS,
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('runs on the Redis store, which really is down (control)', async () => {
    expect(app.kv.kind).toBe('redis');
    await expect(app.kv.ping()).rejects.toThrow();
    expect(app.status.degraded()).toBe(false);
  });

  it('still answers and still limits login, and reports degraded', async () => {
    const attempt = { email: source.email(), ip: source.ip() };
    for (let i = 0; i < 2; i++) await fail(app, attempt);
    expect(app.status.degraded()).toBe(true);
    await fail(app, attempt);
    const refused = await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    expect(refused.retryAfterSeconds).toBe(1);
    expect(app.status.degraded()).toBe(true);
  });

  it('still limits MFA, mail and requests', async () => {
    const failure = { mfaTokenId: 'token-1', userId: 'user-1' };
    expect(await mfaFail(app, failure)).toEqual({ tokenExhausted: false });
    expect(await mfaFail(app, failure)).toEqual({ tokenExhausted: true });
    await mfaFail(app, { ...failure, mfaTokenId: 'token-2' });
    await expectThrottled(mfaProbe(app, failure.userId), 'protection.too_many_attempts');

    const email = source.email();
    for (let i = 0; i < 2; i++) await app.mail.consume({ email, ip: source.ip() });
    await expectThrottled(app.mail.consume({ email, ip: source.ip() }), 'protection.rate_limited');

    const ip = source.ip();
    for (let i = 0; i < 3; i++) await app.request.consume(ip);
    await expectThrottled(app.request.consume(ip), 'protection.rate_limited');
    expect(app.status.degraded()).toBe(true);
  });
});

describe('degraded() with a store that answers', () => {
  it('is false on a reachable Redis and on the in-memory store', async () => {
    for (const redisUrl of [TEST_REDIS_URL, undefined]) {
      const app = await startProtectionApp({
        databaseUrl: db.url,
        redisUrl,
        keyPrefix: uniqueKvPrefix('protection-healthy'),
        env: LIMITS,
      });
      try {
        const ip = source.ip();
        for (let i = 0; i < 3; i++) await app.request.consume(ip);
        await expectThrottled(app.request.consume(ip), 'protection.rate_limited');
        await probe(app, { email: source.email(), ip });
        expect(app.status.degraded()).toBe(false);
      } finally {
        await app.close();
      }
    }
  });
});
