import 'reflect-metadata';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { type AppConfig, ConfigError, loadConfig } from '@identity/config';
import { isValidEmail } from '@identity/users';
import { AdminError } from './admin/admin.errors';
import { AdminUsersService } from './admin/admin-users.service';
import { AppModule } from './app.module';

/** Where the CLI writes: results to `out`, problems and logs to `err`. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const USAGE = `Usage: npm run cli -- create-admin --email <address>

  create-admin   Gives the "admin" role to the account with this email. The account must
                 exist and have verified its email (admin is never granted to an address
                 whose owner has not proven the mailbox). Admin routes also demand a second
                 factor unless ADMIN_REQUIRE_MFA=false, so enrol TOTP before using them.
                 Alternatively, set BOOTSTRAP_ADMIN_EMAIL: that account becomes admin when its
                 email is verified.

The CLI reads the same environment as the server (DATABASE_URL, REDIS_URL, ...). With the
embedded database (no DATABASE_URL), stop the server first: PGlite allows one process.`;

type Command = { kind: 'create-admin'; email: string } | { kind: 'usage'; problem?: string };

function parseCommand(argv: readonly string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { email: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    return { kind: 'usage', problem: err instanceof Error ? err.message : String(err) };
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || command === undefined) return { kind: 'usage' };
  if (command !== 'create-admin' || rest.length > 0) {
    return { kind: 'usage', problem: `unknown command: ${[command, ...rest].join(' ')}` };
  }
  const email = parsed.values.email;
  if (!email || !isValidEmail(email)) {
    return { kind: 'usage', problem: 'create-admin needs --email <a valid address>' };
  }
  return { kind: 'create-admin', email };
}

/**
 * Runs one CLI command against the platform's database and kv (the same module tree as the
 * server, without listeners) and returns the exit code: 0 done, 1 refused, 2 usage.
 */
export async function runCli(
  argv: readonly string[],
  config: AppConfig,
  io: CliIo,
): Promise<number> {
  const command = parseCommand(argv);
  if (command.kind === 'usage') {
    if (command.problem) io.err(`error: ${command.problem}\n`);
    io.err(USAGE);
    return command.problem ? 2 : 0;
  }
  const quiet: AppConfig = {
    ...config,
    logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
  };
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot(quiet, { logStream: { write: (line: string) => io.err(line.trimEnd()) } }),
    { bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  try {
    return await createAdmin(app, command.email, io);
  } finally {
    await app.close();
  }
}

/** Gives `admin` to an existing account (the admin use case the HTTP API shares). */
async function createAdmin(
  app: INestApplicationContext,
  email: string,
  io: CliIo,
): Promise<number> {
  let granted;
  try {
    granted = await app.get(AdminUsersService).grantAdmin(email);
  } catch (err) {
    if (!(err instanceof AdminError)) throw err;
    io.err(
      err.code === 'admin.email_not_verified'
        ? `The account ${email} has not verified its email yet. Verify it first (the link ` +
            'mailed at registration), then run this again.'
        : `No account has the email ${email}. Register it first (POST /auth/register or the ` +
            'web UI), then run this again.',
    );
    return 1;
  }
  const { user, roles } = granted;
  io.out(`${user.email} (${user.id}) now has the roles: ${roles.join(', ')}`);
  return 0;
}

if (require.main === module) {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  let config: AppConfig;
  try {
    // The CLI is an entry point like main.ts: the one place it reads the environment.
    // eslint-disable-next-line no-restricted-properties
    config = loadConfig(process.env);
  } catch (err) {
    io.err(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
  runCli(process.argv.slice(2), config, io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      io.err(`failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
