/**
 * Attack: spreading guesses or requests over the instances behind a load balancer, so each
 * instance sees only a share and none reaches its limit.
 *
 * Defence: the counters live in the shared Redis (through the kv store's connection, under
 * its key prefix, keyed by hashes), so N instances enforce ONE limit between them.
 */
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import {
  fail,
  mfaFail,
  probe,
  succeed,
  expectedIpHash,
  expectThrottled,
  startProtectionApp,
  throttledRows,
  uniqueSource,
  type ProtectionTestApp,
} from './protection-test-app';

const LIMITS = {
  LOGIN_FREE_FAILURES: '2',
  LOGIN_BACKOFF_BASE: '1',
  LOGIN_BACKOFF_MAX: '4',
  LOGIN_EMAIL_FAILURES_PER_HOUR: '6',
  MFA_FAILURES_PER_TOKEN: '4',
  MAIL_PER_EMAIL_PER_HOUR: '3',
  AUTH_PER_IP_PER_MINUTE: '6',
};

const source = uniqueSource();
const prefix = uniqueKvPrefix('protection-shared');
let db: TestDatabase;
let a: ProtectionTestApp;
let b: ProtectionTestApp;
let redis: Redis;

beforeAll(async () => {
  db = await createTestDatabase('protection_shared');
  // Two Nest testing modules: two instances of every limiter, one Redis, one prefix.
  a = await startProtectionApp({
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: prefix,
    env: LIMITS,
  });
  b = await startProtectionApp({
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: prefix,
    env: LIMITS,
  });
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await db.drop();
});

it('locks a pair whose failures were split between the instances, and audits it once', async () => {
  const userId = randomUUID();
  const attempt = { email: source.email(), ip: source.ip() };
  await fail(a, attempt, userId);
  await fail(b, attempt, userId);
  await probe(a, attempt);
  await fail(b, attempt, userId);

  for (const app of [a, b]) {
    const refused = await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    expect(refused.retryAfterSeconds).toBe(1);
  }
  // An attempt taken on one instance holds the pair's gate for both.
  await new Promise((r) => setTimeout(r, 1_100));
  const ticket = await a.login.begin(attempt);
  await expectThrottled(probe(b, attempt), 'protection.too_many_attempts');
  await a.login.failed(ticket, userId);
  const doubled = await expectThrottled(probe(b, attempt), 'protection.too_many_attempts');
  expect(doubled.retryAfterSeconds).toBe(2);

  const rows = (await throttledRows(a.db)).filter(
    (row) => row.ip_hash === expectedIpHash(a.config, attempt.ip),
  );
  expect(rows.map((row) => row.scope)).toEqual(['email_ip']);

  // A success on either instance ends the streak for both.
  await new Promise((r) => setTimeout(r, 2_100));
  await succeed(b, attempt);
  await probe(a, attempt);
  await fail(a, attempt);
  await probe(a, attempt);
});

it('spends one email budget between the instances', async () => {
  const email = source.email();
  for (let i = 0; i < 3; i++) {
    await fail(a, { email, ip: source.ip() });
    await fail(b, { email, ip: source.ip() });
  }
  await expectThrottled(probe(a, { email, ip: source.ip() }), 'protection.too_many_attempts');
  await expectThrottled(probe(b, { email, ip: source.ip() }), 'protection.too_many_attempts');
});

it('exhausts an mfa_token whose failures were split between the instances', async () => {
  const failure = { mfaTokenId: randomUUID(), userId: randomUUID() };
  const outcomes = [
    await mfaFail(a, failure),
    await mfaFail(b, failure),
    await mfaFail(a, failure),
    await mfaFail(b, failure),
    await mfaFail(a, failure),
  ];
  expect(outcomes).toEqual([
    { tokenExhausted: false },
    { tokenExhausted: false },
    { tokenExhausted: false },
    { tokenExhausted: true },
    'exhausted',
  ]);
});

it('spends one mail budget and one request budget between the instances', async () => {
  const email = source.email();
  await a.mail.consume({ email, ip: source.ip() });
  await b.mail.consume({ email, ip: source.ip() });
  await a.mail.consume({ email, ip: source.ip() });
  await expectThrottled(b.mail.consume({ email, ip: source.ip() }), 'protection.rate_limited');

  const ip = source.ip();
  for (let i = 0; i < 3; i++) {
    await a.request.consume(ip);
    await b.request.consume(ip);
  }
  await expectThrottled(a.request.consume(ip), 'protection.rate_limited');
  await expectThrottled(b.request.consume(ip), 'protection.rate_limited');
});

it('keeps its counters in Redis under the kv prefix, with no email or IP in a key', async () => {
  const email = source.email();
  const ip = source.ip();
  // One of each counter: a locked pair (free 2, so 3 failures), MFA, mail and request.
  for (let i = 0; i < 3; i++) await fail(a, { email, ip });
  await mfaFail(a, { mfaTokenId: randomUUID(), userId: randomUUID() });
  await a.mail.consume({ email, ip });
  await a.request.consume(ip);
  const keys = await redis.keys(`${prefix}rl:*`);
  const prefixes = new Set(
    keys.map((key) => key.slice(prefix.length).split(':').slice(0, 2).join(':')),
  );
  expect([...prefixes].sort()).toEqual([
    'rl:auth-ip',
    'rl:login-email',
    'rl:login-ip',
    'rl:login-lock',
    'rl:login-pair',
    'rl:mail-email',
    'rl:mail-ip',
    'rl:mfa-token',
    'rl:mfa-user',
  ]);
  for (const key of keys) {
    expect(key).not.toContain('@');
    expect(key).not.toMatch(/\b10\.\d+\.\d+\.\d+\b/);
  }
  expect(a.status.degraded()).toBe(false);
  expect(b.status.degraded()).toBe(false);
});

it('keeps instances on different kv prefixes apart (control: the sharing above is real)', async () => {
  const other = await startProtectionApp({
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: uniqueKvPrefix('protection-other'),
    env: LIMITS,
  });
  try {
    const ip = source.ip();
    for (let i = 0; i < 6; i++) await a.request.consume(ip);
    await expectThrottled(a.request.consume(ip), 'protection.rate_limited');
    await other.request.consume(ip);
  } finally {
    await other.close();
  }
});
