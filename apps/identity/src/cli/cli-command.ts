import { parseArgs } from 'node:util';
import { isValidEmail } from '@identity/users';

/** Where the CLI writes: results to `out`, problems and logs to `err`. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes: 0 done, 1 refused or failed (not found, broken chain, pending migrations), 2 usage. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const USAGE = `Usage: node dist/apps/identity/src/cli.js <command> [--email <address>]
       (on a checkout: npm run cli -- <command> ...; in the image: docker compose run --rm
        identity node dist/apps/identity/src/cli.js <command> ...)

  migrate up            Applies pending migrations (also: node dist/apps/identity/src/migrate.js).
  migrate status        Lists applied and pending migrations; exit 1 while any is pending.
  create-admin --email  Gives the "admin" role to the account with this email. The account must
                        exist and have verified its email. Admin routes also demand a second
                        factor unless ADMIN_REQUIRE_MFA=false, so enrol TOTP before using them.
                        Alternatively, set BOOTSTRAP_ADMIN_EMAIL: that account becomes admin
                        when its email is verified.
  reset-mfa --email     For an owner who lost the authenticator and the recovery codes (verify
                        who they are first): removes TOTP and recovery codes, ends every
                        session (pushed to their sockets), mails the owner. Audited.
  lock --email          Locks the account and ends every session. Audited.
  unlock --email        Lets a locked account sign in again. Audited.
  rotate-keys           A new signing key signs at once; the old one stays in JWKS until its
                        last token has expired (the admin API's POST /admin/keys/rotate).
  purge                 Deletes dead sessions (with their refresh tokens) and delivered outbox
                        rows past their retention, now (instances also do it every
                        PURGE_INTERVAL).
  verify-audit-chain    Walks the hash-chained audit log; exit 1 naming the first broken row.

Exit codes: 0 done, 1 refused or failed, 2 usage. The CLI reads the same environment as the
server (DATABASE_URL, REDIS_URL, ...). With the embedded database (no DATABASE_URL), stop the
server first: PGlite allows one process.`;

/** A command that needs one account, named by its email. */
export type AccountCommandName = 'create-admin' | 'reset-mfa' | 'lock' | 'unlock';
/** A command on the whole platform. */
export type PlatformCommandName = 'rotate-keys' | 'purge' | 'verify-audit-chain';

export type CliCommand =
  | { kind: 'migrate'; action: 'up' | 'status' }
  | { kind: 'account'; name: AccountCommandName; email: string }
  | { kind: 'platform'; name: PlatformCommandName }
  | { kind: 'usage'; problem?: string };

const ACCOUNT_COMMANDS: readonly string[] = ['create-admin', 'reset-mfa', 'lock', 'unlock'];
const PLATFORM_COMMANDS: readonly string[] = ['rotate-keys', 'purge', 'verify-audit-chain'];

/** Reads argv (without node and the script) into a command, or a usage problem. */
export function parseCommand(argv: readonly string[]): CliCommand {
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
  const email = parsed.values.email;
  if (parsed.values.help || command === undefined) return { kind: 'usage' };
  if (command === 'migrate') {
    const [action, ...extra] = rest;
    if ((action !== 'up' && action !== 'status') || extra.length > 0 || email !== undefined) {
      return { kind: 'usage', problem: 'migrate takes one of: up, status' };
    }
    return { kind: 'migrate', action };
  }
  if (rest.length > 0) {
    return { kind: 'usage', problem: `unknown command: ${[command, ...rest].join(' ')}` };
  }
  if (ACCOUNT_COMMANDS.includes(command)) {
    if (!email || !isValidEmail(email)) {
      return { kind: 'usage', problem: `${command} needs --email <a valid address>` };
    }
    return { kind: 'account', name: command as AccountCommandName, email };
  }
  if (PLATFORM_COMMANDS.includes(command)) {
    if (email !== undefined) return { kind: 'usage', problem: `${command} takes no --email` };
    return { kind: 'platform', name: command as PlatformCommandName };
  }
  return { kind: 'usage', problem: `unknown command: ${command}` };
}
