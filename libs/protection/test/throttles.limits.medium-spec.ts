/**
 * Attacks: guessing a 6-digit MFA code (one mfa_token, or many fresh ones for one user);
 * flooding a mailbox or spraying many with register/resend/forgot mails, and probing which
 * emails are registered by watching which ones get limited; plain request floods on `/auth/*`.
 *
 * Defence (API.md "Default limits"): per-mfa_token and per-user MFA failure caps; per-email
 * and per-IP mail budgets spent alike for any address; a per-IP request budget. Each answers
 * with a ThrottledError carrying a truthful Retry-After, and lets the caller in again once the
 * window ends. Proven against real Redis and the in-memory store, with windows of seconds.
 */
import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import {
  expectThrottled,
  mfaFail,
  mfaProbe,
  sleep,
  startProtectionApp,
  uniqueSource,
  type ProtectionTestApp,
} from './protection-test-app';

const LIMITS = {
  MFA_FAILURES_PER_TOKEN: '3',
  MFA_FAILURES_PER_USER_PER_HOUR: '5',
  MAIL_PER_EMAIL_PER_HOUR: '3',
  MAIL_PER_IP_PER_HOUR: '5',
  AUTH_PER_IP_PER_MINUTE: '5',
};

const source = uniqueSource();
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('protection_limits');
});

afterAll(async () => {
  await db.drop();
});

describe.each([
  { backend: 'redis', redisUrl: TEST_REDIS_URL },
  { backend: 'memory', redisUrl: undefined },
])('throttles on $backend', ({ redisUrl }) => {
  let app: ProtectionTestApp;

  beforeAll(async () => {
    app = await startProtectionApp({
      databaseUrl: db.url,
      redisUrl,
      keyPrefix: uniqueKvPrefix('protection-limits'),
      env: LIMITS,
      windows: { mfaUser: 2, mail: 2, request: 1 },
    });
  });

  afterAll(async () => {
    await app.close();
  });

  describe('MfaThrottle', () => {
    it('reports the token exhausted at its cap, and refuses the user at theirs', async () => {
      const userId = randomUUID();
      const first = randomUUID();
      const outcomes: unknown[] = [];
      for (let i = 0; i < 4; i++) outcomes.push(await mfaFail(app, { mfaTokenId: first, userId }));
      // The third failure exhausts the token; a fourth attempt finds it spent (and costs the
      // user nothing).
      expect(outcomes).toEqual([
        { tokenExhausted: false },
        { tokenExhausted: false },
        { tokenExhausted: true },
        'exhausted',
      ]);

      // A fresh token (after a fresh password login) starts its own count...
      const second = randomUUID();
      expect(await mfaFail(app, { mfaTokenId: second, userId })).toEqual({
        tokenExhausted: false,
      });
      await mfaFail(app, { mfaTokenId: second, userId });

      // ...but the user's budget (5) spans tokens.
      const refused = await expectThrottled(mfaProbe(app, userId), 'protection.too_many_attempts');
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);
      await mfaProbe(app, randomUUID());

      await sleep(refused.retryAfterSeconds * 1_000 + 100);
      await mfaProbe(app, userId);
    });

    it('evaluates a burst of codes no more often than one after another would', async () => {
      const userId = randomUUID();
      const tokens = Array.from({ length: 4 }, () => randomUUID());
      // 20 codes at once over 4 tokens (5 each): the user's cap (5) admits 5 attempts in all.
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, i) =>
          app.mfa.begin({ userId, mfaTokenId: tokens[i % tokens.length] }),
        ),
      );
      const admitted = results.filter((r) => r.status === 'fulfilled' && r.value !== null);
      expect(admitted).toHaveLength(5);
      expect(results.filter((r) => r.status === 'rejected')).toHaveLength(15);
    });
  });

  describe('MailThrottle', () => {
    it('spends an email budget the same way for any address, in any spelling', async () => {
      // The throttle never looks the address up: a registered one and one that never was
      // must answer alike, or the 429 would reveal which is which.
      const registered = source.email();
      const neverRegistered = source.email();
      const waits: number[] = [];
      for (const email of [registered, neverRegistered]) {
        await app.mail.consume({ email, ip: source.ip() });
        await app.mail.consume({ email: email.toUpperCase(), ip: source.ip() });
        await app.mail.consume({ email: ` ${email}`, ip: source.ip() });
        const refused = await expectThrottled(
          app.mail.consume({ email, ip: source.ip() }),
          'protection.rate_limited',
        );
        waits.push(refused.retryAfterSeconds);
      }
      expect(waits).toEqual([2, 2]);

      await sleep(2_100);
      await app.mail.consume({ email: registered, ip: source.ip() });
    });

    it('spends an IP budget across emails, without burning their own budgets', async () => {
      const ip = source.ip();
      for (let i = 0; i < 5; i++) await app.mail.consume({ email: source.email(), ip });
      const victim = source.email();
      const refused = await expectThrottled(
        app.mail.consume({ email: victim, ip }),
        'protection.rate_limited',
      );
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(2);
      await expectThrottled(app.mail.consume({ email: victim, ip }), 'protection.rate_limited');

      // The refused requests did not spend the victim's own 3 mails.
      for (let i = 0; i < 3; i++) await app.mail.consume({ email: victim, ip: source.ip() });
      await expectThrottled(
        app.mail.consume({ email: victim, ip: source.ip() }),
        'protection.rate_limited',
      );
    });
  });

  describe('RequestThrottle', () => {
    it('refuses the request past the per-IP budget and lets it in after the window', async () => {
      const ip = source.ip();
      for (let i = 0; i < 5; i++) await app.request.consume(ip);
      const refused = await expectThrottled(app.request.consume(ip), 'protection.rate_limited');
      expect(refused.retryAfterSeconds).toBe(1);
      await app.request.consume(source.ip());

      await sleep(1_100);
      await app.request.consume(ip);
    });

    it('counts an IPv6 /64 as one client', async () => {
      const n = Math.floor(Math.random() * 0xffff).toString(16);
      for (let i = 1; i <= 5; i++) await app.request.consume(`2001:db8:${n}:7::${i}`);
      await expectThrottled(
        app.request.consume(`2001:db8:${n}:7::abcd`),
        'protection.rate_limited',
      );
    });
  });
});
