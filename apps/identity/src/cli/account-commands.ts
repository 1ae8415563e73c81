import type { INestApplicationContext } from '@nestjs/common';
import { AccessError } from '@identity/access';
import { AdminError } from '../admin/admin.errors';
import { AdminUsersService } from '../admin/admin-users.service';
import { type AccountCommandName, type CliIo, EXIT_FAILED, EXIT_OK } from './cli-command';

/**
 * Who the CLI's changes are attributed to (`actorId` of the audit rows and webhook events):
 * an operator at the command line, not an account of the platform.
 */
export const CLI_ACTOR = 'cli';

/**
 * Runs one account command through the admin use cases the HTTP admin API calls too, and
 * returns the exit code. Refusals (unknown account, unverified email, last admin) print one
 * line on `err` and exit 1.
 */
export async function runAccountCommand(
  app: INestApplicationContext,
  command: { name: AccountCommandName; email: string },
  io: CliIo,
): Promise<number> {
  const admin = app.get(AdminUsersService);
  const { email } = command;
  try {
    switch (command.name) {
      case 'create-admin': {
        const { user, roles } = await admin.grantAdmin(email);
        io.out(`${user.email} (${user.id}) now has the roles: ${roles.join(', ')}`);
        return EXIT_OK;
      }
      case 'reset-mfa': {
        const userId = await idOf(admin, email);
        const reset = await admin.resetMfa(userId, CLI_ACTOR);
        io.out(
          `${email} (${userId}): ${reset.mfaWasEnabled ? 'second factor removed' : 'had no second factor'}, ` +
            `${reset.sessionsRevoked} session(s) revoked; the next sign-in needs the password only`,
        );
        return EXIT_OK;
      }
      case 'lock': {
        const userId = await idOf(admin, email);
        await admin.lock(userId, CLI_ACTOR);
        io.out(`${email} (${userId}) is locked: every session revoked, sign-in refused`);
        return EXIT_OK;
      }
      case 'unlock': {
        const userId = await idOf(admin, email);
        await admin.unlock(userId, CLI_ACTOR);
        io.out(`${email} (${userId}) is unlocked: it can sign in again`);
        return EXIT_OK;
      }
    }
  } catch (err) {
    const refusal = describeRefusal(err, email);
    if (!refusal) throw err;
    io.err(refusal);
    return EXIT_FAILED;
  }
}

/** The account's id. @throws AdminError `admin.user_not_found`. */
async function idOf(admin: AdminUsersService, email: string): Promise<string> {
  const [user] = await admin.findByEmail(email);
  if (!user) throw new AdminError('admin.user_not_found');
  return user.id;
}

function describeRefusal(err: unknown, email: string): string | undefined {
  if (err instanceof AdminError) {
    switch (err.code) {
      case 'admin.email_not_verified':
        return (
          `The account ${email} has not verified its email yet. Verify it first (the link ` +
          'mailed at registration), then run this again.'
        );
      case 'admin.user_not_found':
        return (
          `No account has the email ${email}. Register it first (POST /auth/register or the ` +
          'web UI), then run this again.'
        );
    }
  }
  if (err instanceof AccessError && err.code === 'access.last_admin') {
    return `Refused: ${email} is the last unlocked admin. Make another account admin first.`;
  }
  return undefined;
}
