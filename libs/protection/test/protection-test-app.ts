import { Test, type TestingModule } from '@nestjs/testing';
import { AuditModule } from '@identity/audit';
import { type AppConfig, ConfigModule, loadConfig } from '@identity/config';
import { deriveKey, hmac } from '@identity/crypto';
import { Database, DatabaseModule } from '@identity/database';
import { KV_STORE, KvModule, type KvStore } from '@identity/kv';
import { type LoginAttempt, LoginThrottle } from '../src/login-throttle';
import { MailThrottle } from '../src/mail-throttle';
import { MfaThrottle } from '../src/mfa-throttle';
import { ThrottledError, type ProtectionErrorCode } from '../src/protection.errors';
import { ProtectionModule } from '../src/protection.module';
import { ProtectionStatus } from '../src/protection.status';
import { PROTECTION_WINDOWS, type ProtectionWindows } from '../src/protection.windows';
import { RequestThrottle } from '../src/request-throttle';
import { type Clock, ClockModule } from '@identity/kernel';

/** One booted instance of the protection context, wired as the app wires it. */
export interface ProtectionTestApp {
  config: AppConfig;
  login: LoginThrottle;
  mfa: MfaThrottle;
  mail: MailThrottle;
  request: RequestThrottle;
  status: ProtectionStatus;
  db: Database;
  kv: KvStore;
  close(): Promise<void>;
}

export interface ProtectionTestAppOptions {
  /** The time the app goes by; the system clock by default. */
  clock?: Clock;
  databaseUrl: string;
  /** A Redis URL shares the counters with every app on the same prefix; unset = memory kv. */
  redisUrl?: string;
  keyPrefix?: string;
  /** Limits (LOGIN_FREE_FAILURES, MAIL_PER_EMAIL_PER_HOUR, ...). */
  env?: Record<string, string>;
  /** Windows in seconds, short so a test can wait one out. Default: 2 s each. */
  windows?: Partial<ProtectionWindows>;
}

/** Shrunk windows: every "per hour" is 2 s here, so tests can wait one out. */
export const TEST_WINDOWS: ProtectionWindows = {
  loginBudget: 2,
  loginStreak: 30,
  mfaToken: 2,
  mfaUser: 2,
  mail: 2,
  request: 2,
};

/** Boots Config + Database + Kv + Audit + ProtectionModule on an existing migrated database. */
export async function startProtectionApp(
  options: ProtectionTestAppOptions,
): Promise<ProtectionTestApp> {
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: options.databaseUrl,
    DATABASE_MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '2',
    ...options.env,
  });
  let module: TestingModule | undefined;
  try {
    module = await Test.createTestingModule({
      imports: [
        ClockModule.forRoot(options.clock),
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ migrations: [] }),
        KvModule.forRoot({ redisUrl: options.redisUrl, keyPrefix: options.keyPrefix ?? 'test:' }),
        AuditModule,
        ProtectionModule,
      ],
    })
      .overrideProvider(PROTECTION_WINDOWS)
      .useValue({ ...TEST_WINDOWS, ...options.windows })
      .compile();
    await module.init();
  } catch (err) {
    await module?.close();
    throw err;
  }
  const ref = module;
  return {
    config,
    login: ref.get(LoginThrottle),
    mfa: ref.get(MfaThrottle),
    mail: ref.get(MailThrottle),
    request: ref.get(RequestThrottle),
    status: ref.get(ProtectionStatus),
    db: ref.get(Database),
    kv: ref.get<KvStore>(KV_STORE),
    close: () => ref.close(),
  };
}

/**
 * The ThrottledError `attempt` rejects with; fails the test when it resolves or throws
 * anything else.
 */
export async function expectThrottled(
  attempt: Promise<unknown>,
  code: ProtectionErrorCode,
): Promise<ThrottledError> {
  try {
    await attempt;
  } catch (err) {
    if (err instanceof ThrottledError && err.code === code) return err;
    throw err;
  }
  throw new Error(`expected a ThrottledError ${code}, but the call was allowed`);
}

/** An `auth.login.throttled` audit row, read with plain SQL. */
export interface ThrottledRow {
  scope: string;
  user_id: string | null;
  ip_hash: string | null;
  metadata: Record<string, unknown>;
}

/** Every `auth.login.throttled` row in id order. */
export function throttledRows(db: Database): Promise<ThrottledRow[]> {
  return db.query<ThrottledRow>(
    `SELECT metadata->>'scope' AS scope, user_id, ip_hash, metadata
       FROM audit_log WHERE type = 'auth.login.throttled' ORDER BY id`,
  );
}

/** The `ipHash` an event must carry for `ip`: computed here, independently of the lib. */
export function expectedIpHash(config: AppConfig, ip: string): string {
  return hmac(deriveKey(config.secrets.keyEncryptionKey, 'ip-hash'), ip);
}

/** Fresh, distinct addresses and emails, so tests sharing one store never share a counter. */
export function uniqueSource(): { ip: () => string; email: () => string } {
  let n = 0;
  const tag = Math.random().toString(36).slice(2, 8);
  return {
    ip: () => {
      n += 1;
      return `10.${(n >> 16) & 0xff}.${(n >> 8) & 0xff}.${n & 0xff}`;
    },
    email: () => {
      n += 1;
      return `user${n}.${tag}@example.test`;
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether an attempt would be let in now: takes its points, then gives them all back. */
export async function probe(app: ProtectionTestApp, attempt: LoginAttempt): Promise<void> {
  await app.login.refund(await app.login.begin(attempt));
}

/** One attempt that fails (a wrong password): its points stay. */
export async function fail(
  app: ProtectionTestApp,
  attempt: LoginAttempt,
  userId?: string,
): Promise<void> {
  await app.login.failed(await app.login.begin(attempt), userId);
}

/** One attempt that succeeds (the right password). */
export async function succeed(app: ProtectionTestApp, attempt: LoginAttempt): Promise<void> {
  await app.login.succeeded(await app.login.begin(attempt));
}

/**
 * One wrong MFA code: 'exhausted' when the token had no attempt left (nothing was checked),
 * else whether this failure exhausted it.
 */
export async function mfaFail(
  app: ProtectionTestApp,
  attempt: { userId: string; mfaTokenId?: string },
): Promise<'exhausted' | { tokenExhausted: boolean }> {
  const ticket = await app.mfa.begin(attempt);
  if (!ticket) return 'exhausted';
  return app.mfa.failed(ticket);
}

/** Whether the user may enter an MFA code now (a probe that gives its point back). */
export async function mfaProbe(app: ProtectionTestApp, userId: string): Promise<void> {
  const ticket = await app.mfa.begin({ userId });
  if (ticket) await app.mfa.refund(ticket);
}
