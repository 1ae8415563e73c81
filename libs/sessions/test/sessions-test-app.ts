import { Test, type TestingModule } from '@nestjs/testing';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { AccessService } from '@identity/access';
import { AuditModule } from '@identity/audit';
import { type AppConfig, ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import { KvModule } from '@identity/kv';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
  UserFactory,
} from '@identity/testing';
import { AccessDenylist, AccessTokenService, Authenticator } from '@identity/tokens';
import { SessionPurgeJob } from '../src/session-purge.job';
import {
  type ClientContext,
  type OpenSessionInput,
  SessionError,
  type SessionErrorCode,
  SessionService,
  SessionsModule,
  type TokenPair,
} from '../src';
import { type Clock, ClockModule } from '@identity/kernel';

export const TEST_ISSUER = 'https://id.sessions.test';
/** A documentation address (RFC 5737): whatever is stored must never contain it. */
export const CLIENT: ClientContext = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 (jest)' };

/** The sessions context booted as the app wires it, on a database and kv prefix of its own. */
export interface SessionsTestApp {
  module: TestingModule;
  config: AppConfig;
  sessions: SessionService;
  purge: SessionPurgeJob;
  db: Database;
  sql: DataSource;
  tokens: AccessTokenService;
  denylist: AccessDenylist;
  authenticator: Authenticator;
  access: AccessService;
  close(): Promise<void>;
}

/**
 * Boots Config + Database + Kv (Redis, unique prefix) + Audit + Sessions (with Tokens and
 * Access) on a fresh copy of the migrated template. `close()` stops the app, drops the
 * database and deletes the kv keys.
 */
export async function startSessionsApp(
  label: string,
  env: Record<string, string> = {},
  options: {
    clock?: Clock;
    /** Another Redis than the shared test server (e.g. a throwaway one a test kills). */
    redisUrl?: string;
  } = {},
): Promise<SessionsTestApp> {
  const redisUrl = options.redisUrl ?? TEST_REDIS_URL;
  const database = await createTestDatabase(label);
  const keyPrefix = uniqueKvPrefix(label);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: database.url,
    DATABASE_MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '12',
    JWT_ISSUER: TEST_ISSUER,
    ...env,
  });
  const module = await Test.createTestingModule({
    imports: [
      ClockModule.forRoot(options.clock),
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({
        migrations: [],
      }),
      KvModule.forRoot({ redisUrl, keyPrefix }),
      AuditModule,
      SessionsModule,
    ],
  }).compile();
  try {
    await module.init();
  } catch (err) {
    await module.close();
    await database.drop();
    throw err;
  }
  const db = module.get(Database);
  return {
    module,
    config,
    sessions: module.get(SessionService),
    purge: module.get(SessionPurgeJob),
    db,
    sql: db.dataSource,
    tokens: module.get(AccessTokenService),
    denylist: module.get(AccessDenylist),
    authenticator: module.get(Authenticator),
    access: module.get(AccessService),
    close: () => closeApp(module, database, keyPrefix, redisUrl),
  };
}

async function closeApp(
  module: TestingModule,
  database: TestDatabase,
  prefix: string,
  redisUrl: string,
) {
  await module.close();
  await database.drop();
  if (redisUrl !== TEST_REDIS_URL) return;
  const redis = new Redis(redisUrl);
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) {
      if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
    }
  } finally {
    redis.disconnect();
  }
}

/** A verified account with these roles, made through the real repositories. */
export async function createUser(
  app: SessionsTestApp,
  roles: string[] = ['user'],
): Promise<string> {
  return (await new UserFactory(app.module).create({ password: null, roles })).id;
}

/** A login as the accounts context does it: `open` inside the login transaction. */
export function openSession(
  app: SessionsTestApp,
  userId: string,
  extra: Partial<Omit<OpenSessionInput, 'userId'>> = {},
): Promise<TokenPair> {
  return app.db.withTransaction((tx) =>
    app.sessions.open(tx, { userId, amr: ['pwd'], client: CLIENT, ...extra }),
  );
}

/** `'ok'` or the SessionError code a refresh ended with (anything else is rethrown). */
export async function refreshOutcome(
  app: SessionsTestApp,
  refreshToken: string,
  client: ClientContext = CLIENT,
): Promise<'ok' | SessionErrorCode> {
  return outcomeOf(app.sessions.refresh(refreshToken, client));
}

export async function outcomeOf(work: Promise<unknown>): Promise<'ok' | SessionErrorCode> {
  try {
    await work;
    return 'ok';
  } catch (err) {
    if (err instanceof SessionError) return err.code;
    throw err;
  }
}

export interface SessionRow {
  id: string;
  user_id: string;
  status: string;
  amr: string[];
  device_name: string | null;
  user_agent: string | null;
  ip_hash: string | null;
  revoked_at: Date | null;
  revoked_reason: string | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
}

export async function sessionRow(app: SessionsTestApp, id: string): Promise<SessionRow> {
  const [row] = await app.sql.query<SessionRow[]>(`SELECT * FROM sessions WHERE id = $1`, [id]);
  if (!row) throw new Error(`no session ${id}`);
  return row;
}

export async function tokenStatuses(app: SessionsTestApp, sessionId: string): Promise<string[]> {
  const rows = await app.sql.query<{ status: string }[]>(
    `SELECT status FROM refresh_tokens WHERE session_id = $1 ORDER BY created_at, id`,
    [sessionId],
  );
  return rows.map((r) => r.status);
}

export interface AuditRow {
  type: string;
  user_id: string | null;
  session_id: string | null;
  ip_hash: string | null;
  metadata: Record<string, unknown>;
}

/** Audit rows of a user, oldest first (optionally of one type). */
export async function auditOf(
  app: SessionsTestApp,
  userId: string,
  type?: string,
): Promise<AuditRow[]> {
  return app.sql.query<AuditRow[]>(
    `SELECT type, user_id, session_id, ip_hash, metadata FROM audit_log
      WHERE user_id = $1 AND ($2::text IS NULL OR type = $2) ORDER BY id`,
    [userId, type ?? null],
  );
}

/** Moves a session's clocks (SQL): negative seconds put the instant in the past. */
export async function shiftSession(
  app: SessionsTestApp,
  sessionId: string,
  shift: { expiresInSeconds?: number; lastUsedSecondsAgo?: number; revokedSecondsAgo?: number },
): Promise<void> {
  if (shift.expiresInSeconds !== undefined) {
    await app.sql.query(
      `UPDATE sessions SET expires_at = now() + make_interval(secs => $2) WHERE id = $1`,
      [sessionId, shift.expiresInSeconds],
    );
  }
  if (shift.lastUsedSecondsAgo !== undefined) {
    await app.sql.query(
      `UPDATE sessions SET last_used_at = now() - make_interval(secs => $2) WHERE id = $1`,
      [sessionId, shift.lastUsedSecondsAgo],
    );
  }
  if (shift.revokedSecondsAgo !== undefined) {
    await app.sql.query(
      `UPDATE sessions SET revoked_at = now() - make_interval(secs => $2)
        WHERE id = $1 AND revoked_at IS NOT NULL`,
      [sessionId, shift.revokedSecondsAgo],
    );
  }
}

/** Whether the access token still authenticates, or why not. */
export async function accessState(app: SessionsTestApp, accessToken: string): Promise<string> {
  const result = await app.authenticator.authenticate(accessToken);
  return result.ok ? 'ok' : result.reason;
}
