import type { LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import {
  DeliveryModule,
  EmailService,
  OutboxRepository,
  OutboxWorker,
  WEBHOOK_DNS,
  type WebhookDns,
} from '@identity/delivery';
import { AuditModule } from '@identity/audit';
import { type Clock, ClockModule } from '@identity/kernel';
import { KvModule } from '@identity/kv';
import { TEST_REDIS_URL, uniqueKvPrefix } from '@identity/testing';

export const TEST_APP_URL = 'http://id.test:3000';
export const TEST_MAIL_FROM = 'Identity <no-reply@id.test>';

/** Keeps every log line, so tests can prove a secret never reached the logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(String(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.lines.push([message, ...rest].map(String).join(' '));
  }
  warn(message: unknown): void {
    this.lines.push(String(message));
  }
  debug(message: unknown): void {
    this.lines.push(String(message));
  }
  verbose(message: unknown): void {
    this.lines.push(String(message));
  }
}

/** One instance of the delivery context, as the app wires it, against a test database. */
export interface DeliveryApp {
  module: TestingModule;
  email: EmailService;
  worker: OutboxWorker;
  outbox: OutboxRepository;
  db: Database;
  logs: CapturingLogger;
  close(): Promise<void>;
}

export interface DeliveryAppOptions {
  databaseUrl: string;
  /** Where mail goes; unset = mail is only logged (webhook suites). */
  smtpPort?: number;
  /** Default 50 ms. */
  pollIntervalMs?: number;
  clock?: Clock;
  /** Share a Redis key prefix (and so the receiver-change channel) between instances. */
  kvPrefix?: string;
  /** How receivers' host names resolve (a scripted stand-in DNS); the system's by default. */
  dns?: WebhookDns;
  /** Extra or overriding environment (WEBHOOK_ALLOW_PRIVATE...). */
  env?: Record<string, string>;
}

export async function startDeliveryApp(options: DeliveryAppOptions): Promise<DeliveryApp> {
  const config = loadConfig({
    DATABASE_URL: options.databaseUrl,
    DATABASE_MIGRATIONS_RUN: 'false',
    ...(options.smtpPort === undefined ? {} : { SMTP_URL: `smtp://127.0.0.1:${options.smtpPort}` }),
    OUTBOX_POLL_INTERVAL_MS: String(options.pollIntervalMs ?? 50),
    APP_URL: TEST_APP_URL,
    MAIL_FROM: TEST_MAIL_FROM,
    ...options.env,
  });
  const logs = new CapturingLogger();
  const module = await Test.createTestingModule({
    imports: [
      ClockModule.forRoot(options.clock),
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ migrations: [] }),
      KvModule.forRoot({
        redisUrl: TEST_REDIS_URL,
        keyPrefix: options.kvPrefix ?? uniqueKvPrefix('delivery'),
      }),
      AuditModule,
      DeliveryModule,
    ],
  })
    .overrideProvider(WEBHOOK_DNS)
    .useValue(options.dns ?? {})
    .setLogger(logs)
    .compile();
  module.useLogger(logs);
  await module.init();
  return {
    module,
    email: module.get(EmailService),
    worker: module.get(OutboxWorker),
    outbox: module.get(OutboxRepository),
    db: module.get(Database),
    logs,
    close: () => module.close(),
  };
}

/** Makes every pending row due now, instead of sleeping through the backoff. */
export async function makePendingDue(ds: DataSource): Promise<void> {
  await ds.query(
    `UPDATE outbox SET next_attempt_at = now() - interval '1 second'
      WHERE delivered_at IS NULL AND dead_at IS NULL`,
  );
}

/** Polls `check` until it returns true; rejects after `timeoutMs`. */
export async function eventually(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
