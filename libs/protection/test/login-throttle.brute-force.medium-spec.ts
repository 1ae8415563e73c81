/**
 * Attack: online password guessing. One client hammers one account (brute force), many
 * clients share the guesses against one account (distributed brute force), or one client
 * tries a common password against many accounts (password spraying).
 *
 * Defence (API.md "Default limits"): per (email, IP) free failures, then a lock that doubles
 * per further failure up to a cap; per email and per IP hourly failure budgets; 429
 * `too_many_attempts` with a truthful Retry-After, before the password is even checked; an
 * `auth.login.throttled` audit row once per crossed threshold. Attempts are counted, not
 * finished failures: a burst of simultaneous guesses gets exactly the evaluations the same
 * guesses one after another would. Proven against real Redis and against the in-memory store
 * of the embedded default, with windows shrunk to seconds.
 */
import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import {
  expectedIpHash,
  expectThrottled,
  fail,
  probe,
  sleep,
  startProtectionApp,
  succeed,
  throttledRows,
  uniqueSource,
  type ProtectionTestApp,
} from './protection-test-app';

/** Free 2, then 1 s, 2 s, 4 s, 4 s...; budgets small enough to spend in a test. */
const LIMITS = {
  LOGIN_FREE_FAILURES: '2',
  LOGIN_BACKOFF_BASE: '1',
  LOGIN_BACKOFF_MAX: '4',
  LOGIN_EMAIL_FAILURES_PER_HOUR: '8',
  LOGIN_IP_FAILURES_PER_HOUR: '10',
};

const source = uniqueSource();
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('protection_login');
});

afterAll(async () => {
  await db.drop();
});

describe.each([
  { backend: 'redis', redisUrl: TEST_REDIS_URL },
  { backend: 'memory', redisUrl: undefined },
])('LoginThrottle on $backend', ({ redisUrl }) => {
  let app: ProtectionTestApp;

  beforeAll(async () => {
    app = await startProtectionApp({
      databaseUrl: db.url,
      redisUrl,
      keyPrefix: uniqueKvPrefix('protection-login'),
      env: LIMITS,
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('allows the free failures and one more, then locks the pair for the base time', async () => {
    const attempt = { email: source.email(), ip: source.ip() };
    for (let i = 0; i < 3; i++) await fail(app, attempt);
    const refused = await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    expect(refused.retryAfterSeconds).toBe(1);
    // A case or spacing variant of the email is the same account, so the same lock.
    await expectThrottled(
      probe(app, { ...attempt, email: ` ${attempt.email.toUpperCase()}` }),
      'protection.too_many_attempts',
    );
    // The lock is the pair's alone: the same email from another IP, and the same IP for
    // another email, are still allowed.
    await probe(app, { email: attempt.email, ip: source.ip() });
    await probe(app, { email: source.email(), ip: attempt.ip });
  });

  it('evaluates a burst exactly as the same attempts one after another would', async () => {
    const attempt = { email: source.email(), ip: source.ip() };
    // 20 simultaneous attempts: the 2 free ones and the one after them get in, the rest are
    // refused at once (a lock would have stopped them one after another too).
    const tickets = await Promise.allSettled(
      Array.from({ length: 20 }, () => app.login.begin(attempt)),
    );
    const admitted = tickets.filter((t) => t.status === 'fulfilled');
    expect(admitted).toHaveLength(3);
    for (const refused of tickets.filter((t) => t.status === 'rejected')) {
      expect(refused.reason).toMatchObject({ code: 'protection.too_many_attempts' });
    }
    // They all fail (wrong passwords): the pair is then locked, as after 3 sequential ones.
    for (const t of admitted) await app.login.failed(t.value);
    const refused = await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    expect(refused.retryAfterSeconds).toBe(1);
  });

  it('lets the pair in again once its lock has run out, and doubles the next one', async () => {
    const attempt = { email: source.email(), ip: source.ip() };
    for (let i = 0; i < 3; i++) await fail(app, attempt);
    await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');

    await sleep(1_100);
    // One attempt at a time once locked: while it is being evaluated, another is refused.
    const ticket = await app.login.begin(attempt);
    await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    await app.login.failed(ticket);
    const second = await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    expect(second.retryAfterSeconds).toBe(2);
  });

  it('resets the pair on success, but not the failures of the email budget', async () => {
    const email = source.email();
    const attempt = { email, ip: source.ip() };
    for (let i = 0; i < 2; i++) await fail(app, attempt);
    await succeed(app, attempt);
    // A fresh streak: free failures again, then the base lock.
    for (let i = 0; i < 3; i++) await fail(app, attempt);
    const refused = await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
    expect(refused.retryAfterSeconds).toBe(1);

    // 5 failures so far count against the email's 8 (the success gave its point back):
    // three more from new IPs spend it.
    for (let i = 0; i < 3; i++) await fail(app, { email, ip: source.ip() });
    await expectThrottled(probe(app, { email, ip: source.ip() }), 'protection.too_many_attempts');
  });

  it('gives every point back for an attempt that was never evaluated', async () => {
    const attempt = { email: source.email(), ip: source.ip() };
    for (let i = 0; i < 10; i++) await app.login.refund(await app.login.begin(attempt));
    for (let i = 0; i < 3; i++) await fail(app, attempt);
    await expectThrottled(probe(app, attempt), 'protection.too_many_attempts');
  });

  it('emits auth.login.throttled once when backoff starts, with the IP hash only', async () => {
    const userId = randomUUID();
    const ip = source.ip();
    const email = source.email();
    const ipHash = expectedIpHash(app.config, ip);
    const rowsForPair = async () =>
      (await throttledRows(app.db)).filter((row) => row.ip_hash === ipHash);

    for (let i = 0; i < 2; i++) await fail(app, { email, ip }, userId);
    expect(await rowsForPair()).toEqual([]);

    await fail(app, { email, ip }, userId);
    await sleep(1_100);
    await fail(app, { email, ip }, userId);
    const rows = await rowsForPair();
    expect(rows).toEqual([
      { scope: 'email_ip', user_id: userId, ip_hash: ipHash, metadata: { scope: 'email_ip' } },
    ]);
    expect(JSON.stringify(rows)).not.toContain(email);
    expect(JSON.stringify(rows)).not.toContain(ip);
  });

  it('spends the email budget across IPs: distributed guessing, known email or not', async () => {
    const userId = randomUUID();
    const known = source.email();
    const unknown = source.email();
    // One failure per IP: no pair ever reaches its backoff, only the email budget can stop it.
    for (let i = 0; i < 8; i++) {
      await fail(app, { email: known, ip: source.ip() }, userId);
      await fail(app, { email: unknown, ip: source.ip() });
    }

    for (const email of [known, unknown]) {
      const refused = await expectThrottled(
        probe(app, { email, ip: source.ip() }),
        'protection.too_many_attempts',
      );
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);
    }
    const emailRows = (await throttledRows(app.db)).filter(
      (row) => row.scope === 'email' && row.user_id === userId,
    );
    expect(emailRows).toHaveLength(1);

    // The budget is per window: once it ends, the owner may try again.
    await sleep(2_100);
    await probe(app, { email: known, ip: source.ip() });
  });

  it('spends the IP budget across emails: password spraying', async () => {
    const ip = source.ip();
    for (let i = 0; i < 10; i++) await fail(app, { email: source.email(), ip }, randomUUID());
    await expectThrottled(
      probe(app, { email: source.email(), ip }),
      'protection.too_many_attempts',
    );
    // Another client is not affected.
    await probe(app, { email: source.email(), ip: source.ip() });

    const ipRows = (await throttledRows(app.db)).filter(
      (row) => row.scope === 'ip' && row.ip_hash === expectedIpHash(app.config, ip),
    );
    // An IP-wide event names no account: the last one tried is not the victim.
    expect(ipRows).toEqual([
      {
        scope: 'ip',
        user_id: null,
        ip_hash: expectedIpHash(app.config, ip),
        metadata: { scope: 'ip' },
      },
    ]);
  });

  it('counts an IPv6 client by its /64, so rotating addresses does not escape the lock', async () => {
    const email = source.email();
    const n = Math.floor(Math.random() * 0xffff).toString(16);
    for (let i = 1; i <= 3; i++) await fail(app, { email, ip: `2001:db8:${n}:1::${i}` });
    await expectThrottled(
      probe(app, { email, ip: `2001:db8:${n}:1::ffff` }),
      'protection.too_many_attempts',
    );
    await probe(app, { email, ip: `2001:db8:${n}:2::1` });
  });
});
