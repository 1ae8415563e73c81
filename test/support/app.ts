import { Writable } from 'node:stream';
import type { Type } from '@nestjs/common';
import { loadConfig, type AppConfig } from '@identity/config';
import type { Clock } from '@identity/kernel';
import {
  startApp,
  type RunningApp,
  type StartOptions,
} from '../../apps/identity/src/bootstrap/start-app';
import { createTestDatabase, type TestDatabase } from './database';
import { uniqueKvPrefix, TEST_REDIS_URL } from './kv';
import { freePort } from './ports';

export interface TestApp {
  url: string;
  grpcAddress: string;
  config: AppConfig;
  running: RunningApp;
  db: TestDatabase;
  /** Every log line the app wrote (JSON strings). */
  logs: string[];
  /** Stops the app; drops its database unless it was handed in. */
  close(): Promise<void>;
}

export interface TestAppOptions {
  label: string;
  /** Extra or overriding environment. */
  env?: Record<string, string | undefined>;
  /** Share a database between instances (the caller drops it). */
  db?: TestDatabase;
  /** Share a kv prefix between instances (cluster tests). */
  kvPrefix?: string;
  /** false = the in-memory kv instead of the local Redis. */
  redis?: boolean;
  /** Extra Nest modules mounted into the app (test controllers, DiscoveryModule). */
  extraModules?: Type[];
  /** The time the app goes by (a ManualClock to move it); the system clock by default. */
  clock?: Clock;
  /** A subclass of the federated sign-in handler that observes it (the real rules still run). */
  federationHandler?: StartOptions['federationHandler'];
}

/** Settings every test app gets: loopback, cheap argon2 (still the real one), real Postgres/Redis. */
export function testEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_MIGRATIONS_RUN: 'false',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    OUTBOX_POLL_INTERVAL_MS: '100',
    // No load balancer to wait for: test apps stop at once (shutdown tests set their own).
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    LOG_LEVEL: 'info',
    // Every test client is 127.0.0.1: per-IP budgets sized for real traffic would throttle
    // a test file that registers a few dozen users. Limit tests set their own budgets.
    MAIL_PER_IP_PER_HOUR: '10000',
    AUTH_PER_IP_PER_MINUTE: '100000',
    ...extra,
  };
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)) as Record<
    string,
    string
  >;
}

/** Boots the real app (HTTP + gRPC + socket.io) on its own database and kv prefix. */
export async function startTestApp(options: TestAppOptions): Promise<TestApp> {
  const db = options.db ?? (await createTestDatabase(options.label));
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs.push(chunk.toString('utf8'));
      if (process.env.TEST_LOGS) process.stdout.write(chunk);
      done();
    },
  });
  const config = loadConfig(
    testEnv({
      DATABASE_URL: db.url,
      GRPC_PORT: String(await freePort()),
      ...(options.redis === false
        ? {}
        : {
            REDIS_URL: TEST_REDIS_URL,
            REDIS_KEY_PREFIX: options.kvPrefix ?? uniqueKvPrefix(options.label),
          }),
      ...options.env,
    }),
  );
  const running = await startApp(config, {
    logStream: { write: (s: string) => logStream.write(s) },
    extraModules: options.extraModules,
    clock: options.clock,
    federationHandler: options.federationHandler,
  });
  return {
    url: running.url,
    grpcAddress: running.grpcAddress,
    config,
    running,
    db,
    logs,
    async close() {
      await running.shutdown();
      if (!options.db) await db.drop();
    },
  };
}
