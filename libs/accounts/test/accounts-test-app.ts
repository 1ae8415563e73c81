import { Injectable } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { ACCESS_ENTITIES } from '@identity/access';
import { AUDIT_ENTITIES, AuditModule } from '@identity/audit';
import { type AppConfig, ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import {
  DELIVERY_ENTITIES,
  type EmailTemplate,
  Mailer,
  type OutgoingMail,
  OutboxWorker,
} from '@identity/delivery';
import { KvModule } from '@identity/kv';
import { MFA_ENTITIES } from '@identity/mfa';
import {
  PasswordHasher,
  type PasswordHash,
  type PasswordVerification,
  type PasswordVerificationInput,
} from '@identity/passwords';
import { SESSIONS_ENTITIES, SessionService } from '@identity/sessions';
import { TOKENS_ENTITIES } from '@identity/tokens';
import {
  createTestDatabase,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import {
  ACCOUNTS_ENTITIES,
  AccountsModule,
  type LoginInput,
  type LoginResult,
  LoginService,
  PasswordRecoveryService,
  ProfileService,
  RegistrationService,
  UserRepository,
} from '../src';
import {
  EmailVerificationRepository,
  PasswordResetRepository,
} from '../src/one-time-token.repository';

export const TEST_APP_URL = 'https://id.accounts.test';
/** A password every policy rule accepts (long, uncommon, unrelated to the test emails). */
export const GOOD_PASSWORD = 'violet-Anchor-71-drizzle';
export const OTHER_GOOD_PASSWORD = 'quartz-Lantern-58-meadow';
export const CLIENT = { ip: '203.0.113.7', userAgent: 'jest' };

/**
 * The real hasher (real argon2 work), counting its calls, so tests can prove that two paths
 * did the same hashing work without mocking it away.
 */
@Injectable()
export class CountingPasswordHasher extends PasswordHasher {
  readonly calls = { hash: 0, verify: 0, verifyDummy: 0 };

  override hash(password: string): Promise<PasswordHash> {
    this.calls.hash++;
    return super.hash(password);
  }

  override verify(input: PasswordVerificationInput): Promise<PasswordVerification> {
    this.calls.verify++;
    return super.verify(input);
  }

  override verifyDummy(password: string): Promise<void> {
    this.calls.verifyDummy++;
    return super.verifyDummy(password);
  }

  reset(): void {
    this.calls.hash = 0;
    this.calls.verify = 0;
    this.calls.verifyDummy = 0;
  }
}

/** A mail as the outbox worker handed it to the mailer: rendered, after commit. */
export type SentMail = OutgoingMail;

/** Stands in for SMTP: keeps what the real outbox worker sends through the real templates. */
export class CapturingMailer {
  readonly sent: SentMail[] = [];

  send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    return Promise.resolve();
  }
}

/** Subjects of the templates, to tell captured mails apart. */
const SUBJECTS: Record<
  Extract<EmailTemplate, 'verify_email' | 'reset_password' | 'account_exists' | 'password_changed'>,
  string
> = {
  verify_email: 'Confirm your email address',
  reset_password: 'Reset your password',
  account_exists: 'You already have an account',
  password_changed: 'Your password was changed',
};
export type CapturedTemplate = keyof typeof SUBJECTS;

/** One booted accounts context, wired as the app wires it, on its own database. */
export interface AccountsTestApp {
  module: TestingModule;
  config: AppConfig;
  db: TestDatabase;
  database: Database;
  dataSource: DataSource;
  registration: RegistrationService;
  recovery: PasswordRecoveryService;
  login: LoginService;
  profile: ProfileService;
  users: UserRepository;
  verifications: EmailVerificationRepository;
  resets: PasswordResetRepository;
  sessions: SessionService;
  hasher: CountingPasswordHasher;
  mailer: CapturingMailer;
  /** Delivers every committed outbox row, then returns the mails `to` received of `template`. */
  mailsTo(to: string, template: CapturedTemplate): Promise<SentMail[]>;
  /** The token of the last such mail to `to` (from its link, as a user would click it). */
  tokenFrom(to: string, template: CapturedTemplate): Promise<string>;
  close(): Promise<void>;
}

export interface AccountsTestAppOptions {
  label: string;
  /** Extra or overriding environment (ARGON2_*, BOOTSTRAP_ADMIN_EMAIL...). */
  env?: Record<string, string>;
  /** Share another app's database (that app drops it); default: a database of its own. */
  db?: TestDatabase;
}

/** Boots Config + Database + Kv (Redis) + Audit + AccountsModule, with cheap real argon2. */
export async function startAccountsApp(options: AccountsTestAppOptions): Promise<AccountsTestApp> {
  const { label } = options;
  const db = options.db ?? (await createTestDatabase(label));
  const dropOwnDb = () => (options.db ? Promise.resolve() : db.drop());
  const config = loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: db.url,
    DATABASE_MIGRATIONS_RUN: 'false',
    DATABASE_POOL_SIZE: '6',
    // These suites are about accounts, not limits (libs/protection proves those): high budgets.
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
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({
        entities: [
          ...ACCOUNTS_ENTITIES,
          ...ACCESS_ENTITIES,
          ...AUDIT_ENTITIES,
          ...DELIVERY_ENTITIES,
          ...SESSIONS_ENTITIES,
          ...TOKENS_ENTITIES,
          ...MFA_ENTITIES,
        ],
        migrations: [],
      }),
      KvModule.forRoot({ redisUrl: TEST_REDIS_URL, keyPrefix: uniqueKvPrefix(label) }),
      AuditModule,
      AccountsModule,
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
  const worker = module.get(OutboxWorker);
  const mailsTo = async (to: string, template: CapturedTemplate): Promise<SentMail[]> => {
    await worker.runOnce();
    return mailer.sent.filter((m) => m.to === to && m.subject === SUBJECTS[template]);
  };
  return {
    module,
    config,
    db,
    database: module.get(Database),
    dataSource: module.get(Database).dataSource,
    registration: module.get(RegistrationService),
    recovery: module.get(PasswordRecoveryService),
    login: module.get(LoginService),
    profile: module.get(ProfileService),
    users: module.get(UserRepository),
    verifications: module.get(EmailVerificationRepository),
    resets: module.get(PasswordResetRepository),
    sessions: module.get(SessionService),
    hasher: module.get<CountingPasswordHasher>(PasswordHasher),
    mailer,
    mailsTo,
    async tokenFrom(to, template) {
      const mails = await mailsTo(to, template);
      const last = mails.at(-1);
      const token = last ? /[?&]token=([A-Za-z0-9_-]+)/.exec(last.text)?.[1] : undefined;
      if (!token) throw new Error(`no ${template} mail with a token to ${to}`);
      return token;
    },
    async close() {
      await module.close();
      await dropOwnDb();
    },
  };
}

let counter = 0;
/** A fresh address per call, so tests in one file never collide. */
export function uniqueEmail(prefix = 'user'): string {
  counter++;
  return `${prefix}.${counter}.${Date.now().toString(36)}@example.org`;
}

/** Registers and verifies an account through the real services; returns its id. */
export async function createVerifiedUser(
  app: AccountsTestApp,
  email = uniqueEmail(),
  password = GOOD_PASSWORD,
): Promise<string> {
  await app.registration.register({ email, password }, CLIENT);
  await app.registration.verifyEmail(await app.tokenFrom(email, 'verify_email'));
  const user = await app.users.findByNormalizedEmail(email.toLowerCase());
  if (!user) throw new Error('registration created no user');
  return user.id;
}

/** A login that opened a session at once (no second factor). */
export type TokenLogin = Extract<LoginResult, { kind: 'tokens' }>;

/** Logs in a user who has no second factor; fails when the login answers anything but tokens. */
export async function tokenLogin(app: AccountsTestApp, input: LoginInput): Promise<TokenLogin> {
  const result = await app.login.login(input, CLIENT);
  if (result.kind !== 'tokens')
    throw new Error(`expected tokens, the login answered ${result.kind}`);
  return result;
}

/** Audit rows of one type, oldest first. */
export async function auditRows(
  app: AccountsTestApp,
  type: string,
): Promise<
  { user_id: string | null; ip_hash: string | null; metadata: Record<string, unknown> }[]
> {
  return app.dataSource.query(
    `SELECT user_id, ip_hash, metadata FROM audit_log WHERE type = $1 ORDER BY id`,
    [type],
  );
}
