/**
 * Attack: a client floods `/auth/*` through two instances at once, hoping that the local
 * leases each instance takes from the shared per-IP counter (to spare a Redis round trip per
 * request) add up to more than the documented budget (AUTH_PER_IP_PER_MINUTE).
 *
 * Defence: a point is spent locally only after the shared counter in Redis counted it, within
 * that counter's window, so the instances together never let more than the limit through;
 * leases shrink to single points near the limit, so a legitimate client gets close to it.
 */
import Redis from 'ioredis';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { ThrottledError } from '../src/protection.errors';
import { startProtectionApp, uniqueSource, type ProtectionTestApp } from './protection-test-app';

const LIMIT = 600;
const source = uniqueSource();
const prefix = uniqueKvPrefix('request-leases');
let db: TestDatabase;
let a: ProtectionTestApp;
let b: ProtectionTestApp;
let redis: Redis;

beforeAll(async () => {
  db = await createTestDatabase('request_leases');
  const options = {
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: prefix,
    env: { AUTH_PER_IP_PER_MINUTE: String(LIMIT) },
    // Long enough that no window ends while a test floods (CI runs under load).
    windows: { request: 60 },
  };
  a = await startProtectionApp(options);
  b = await startProtectionApp(options);
  redis = new Redis(TEST_REDIS_URL);
});

afterAll(async () => {
  await Promise.all([a?.close(), b?.close()]);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await db.drop();
});

/** Sends `total` requests of one IP, `concurrency` at a time, to the instance `pick` chooses. */
async function flood(args: {
  ip: string;
  total: number;
  concurrency: number;
  pick: (i: number) => ProtectionTestApp;
}): Promise<{ allowed: number; refused: number; retryAfter: Set<number> }> {
  let allowed = 0;
  let refused = 0;
  const retryAfter = new Set<number>();
  let next = 0;
  const worker = async () => {
    while (next < args.total) {
      const app = args.pick(next++);
      try {
        await app.request.consume(args.ip);
        allowed += 1;
      } catch (err) {
        if (!(err instanceof ThrottledError) || err.code !== 'protection.rate_limited') throw err;
        refused += 1;
        retryAfter.add(err.retryAfterSeconds);
      }
    }
  };
  await Promise.all(Array.from({ length: args.concurrency }, worker));
  return { allowed, refused, retryAfter };
}

it('lets at most the documented limit through two instances, and close to it', async () => {
  const patterns: Array<(i: number) => ProtectionTestApp> = [
    (i) => (i % 2 === 0 ? a : b),
    () => (Math.random() < 0.5 ? a : b),
    (i) => (Math.floor(i / 100) % 2 === 0 ? a : b),
  ];
  for (const pick of patterns) {
    const result = await flood({ ip: source.ip(), total: 900, concurrency: 16, pick });
    expect(result.allowed).toBeLessThanOrEqual(LIMIT);
    expect(result.allowed).toBeGreaterThanOrEqual(LIMIT - 60);
    expect(result.allowed + result.refused).toBe(900);
    // Every refusal says when to come back: within the window, never 0.
    for (const seconds of result.retryAfter) {
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(60);
    }
  }
});

it('lets exactly the limit through one instance', async () => {
  const result = await flood({ ip: source.ip(), total: 700, concurrency: 16, pick: () => a });
  expect(result.allowed).toBe(LIMIT);
});

it('keeps the shared count in Redis: an instance that never saw the client refuses it too', async () => {
  const ip = source.ip();
  const first = await flood({ ip, total: 650, concurrency: 8, pick: () => a });
  expect(first.allowed).toBe(LIMIT);
  const late = await startProtectionApp({
    databaseUrl: db.url,
    redisUrl: TEST_REDIS_URL,
    keyPrefix: prefix,
    env: { AUTH_PER_IP_PER_MINUTE: String(LIMIT) },
    windows: { request: 60 },
  });
  try {
    const second = await flood({ ip, total: 5, concurrency: 1, pick: () => late });
    expect(second.allowed).toBe(0);
  } finally {
    await late.close();
  }
});
