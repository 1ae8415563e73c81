import type { Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { AccessModule } from '@identity/access';
import { AccountsModule } from '@identity/accounts';
import { AuditModule } from '@identity/audit';
import { type AppConfig, ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import { type EmailTemplate, Mailer, type OutgoingMail, OutboxWorker } from '@identity/delivery';
import { KvModule } from '@identity/kv';
import { MfaModule } from '@identity/mfa';
import { PasswordHasher } from '@identity/passwords';
import { SignInModule } from '@identity/signin';
import { UserRepository } from '@identity/users';
import { CountingPasswordHasher } from './counting-hasher';
import { createTestDatabase, type TestDatabase } from './database';
import { UserFactory } from './factories';
import { TEST_REDIS_URL, uniqueKvPrefix } from './kv';
import { type Clock, ClockModule } from '@identity/kernel';

export const TEST_APP_URL = 'https://id.domain.test';
export const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };

/** Stands in for SMTP: keeps what the real outbox worker sends through the real templates. */
export class CapturingMailer {
  readonly sent: OutgoingMail[] = [];

  send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    return Promise.resolve();
  }
}

/** Subjects of the templates, to tell captured mails apart. */
const SUBJECTS: Partial<Record<EmailTemplate, string>> = {
  verify_email: 'Confirm your email address',
  reset_password: 'Reset your password',
  account_exists: 'You already have an account',
  password_changed: 'Your password was changed',
};
export type CapturedTemplate =
  'verify_email' | 'reset_password' | 'account_exists' | 'password_changed';

/**
 * The domain libs booted as the app wires them (no transports) on a database of their own:
 * users, accounts, sign-in, MFA, sessions, tokens, access, protection, audit, delivery. The
 * hasher is the real one, counting; mail goes through the real outbox and templates to a
 * capturing mailer.
 */
export interface DomainTestApp {
  module: TestingModule;
  config: AppConfig;
  db: TestDatabase;
  database: Database;
  hasher: CountingPasswordHasher;
  mailer: CapturingMailer;
  /** Makes test accounts through the real repositories. */
  factory: UserFactory;
  users: UserRepository;
  get<T>(type: Type<T>): T;
  /** Carries out every due outbox row (account requests, then their mails). */
  drainOutbox(): Promise<void>;
  /** Delivers every committed outbox row, then returns the mails `to` received of `template`. */
  mailsTo(to: string, template: CapturedTemplate): Promise<OutgoingMail[]>;
  /** The token of the last such mail to `to` (from its link, as a user would click it). */
  tokenFrom(to: string, template: CapturedTemplate): Promise<string>;
  /** Audit rows of one type, oldest first. */
  auditRows(
    type: string,
  ): Promise<
    { user_id: string | null; ip_hash: string | null; metadata: Record<string, unknown> }[]
  >;
  close(): Promise<void>;
}

export interface DomainTestAppOptions {
  /** The time the app goes by; the system clock by default. */
  clock?: Clock;
  label: string;
  /** Extra or overriding environment (ARGON2_*, BOOTSTRAP_ADMIN_EMAIL...). */
  env?: Record<string, string>;
  /** Share another app's database (that app drops it); default: a database of its own. */
  db?: TestDatabase;
}

/** Boots Config + Database + Kv (Redis) + Audit and every domain module, with cheap real argon2. */
export async function startDomainApp(options: DomainTestAppOptions): Promise<DomainTestApp> {
  const { label } = options;
  const db = options.db ?? (await createTestDatabase(label));
  const dropOwnDb = () => (options.db ? Promise.resolve() : db.drop());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '6',
    // These suites are not about limits (libs/protection proves those): high budgets.
    MAIL_PER_EMAIL_PER_HOUR: '1000',
    MAIL_PER_IP_PER_HOUR: '1000',
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    APP_URL: TEST_APP_URL,
    // The tests deliver explicitly (`mailsTo`); the poll only has to stay out of the way.
    OUTBOX_POLL_INTERVAL_MS: '60000',
    ...options.env,
  });
  const mailer = new CapturingMailer();
  const module = await Test.createTestingModule({
    imports: [
      ClockModule.forRoot(options.clock),
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ migrations: [] }),
      KvModule.forRoot({ redisUrl: TEST_REDIS_URL, keyPrefix: uniqueKvPrefix(label) }),
      AuditModule,
      AccessModule,
      AccountsModule,
      SignInModule,
      MfaModule,
    ],
  })
    .overrideProvider(PasswordHasher)
    .useClass(CountingPasswordHasher)
    .overrideProvider(Mailer)
    .useValue(mailer)
    .compile();
  try {
    await module.init();
  } catch (err) {
    await module.close();
    await dropOwnDb();
    throw err;
  }
  const worker = module.get(OutboxWorker, { strict: false });
  // Account requests become mails in a second hop: run cycles until nothing is due.
  const drainOutbox = async () => {
    for (let i = 0; i < 10 && (await worker.runOnce()) > 0; i++);
  };
  const database = module.get(Database);
  const mailsTo = async (to: string, template: CapturedTemplate): Promise<OutgoingMail[]> => {
    await drainOutbox();
    return mailer.sent.filter((m) => m.to === to && m.subject === SUBJECTS[template]);
  };
  return {
    module,
    config,
    db,
    database,
    hasher: module.get<CountingPasswordHasher>(PasswordHasher, { strict: false }),
    mailer,
    factory: new UserFactory(module),
    users: module.get(UserRepository, { strict: false }),
    get: <T>(type: Type<T>) => module.get(type, { strict: false }),
    mailsTo,
    drainOutbox,
    async tokenFrom(to, template) {
      const mails = await mailsTo(to, template);
      const token = mails.at(-1)?.text.match(/[?&]token=([A-Za-z0-9_-]+)/)?.[1];
      if (!token) throw new Error(`no ${template} mail with a token to ${to}`);
      return token;
    },
    auditRows: (type) =>
      database.query(
        `SELECT user_id, ip_hash, metadata FROM audit_log WHERE type = $1 ORDER BY id`,
        [type],
      ),
    async close() {
      await module.close();
      await dropOwnDb();
    },
  };
}
