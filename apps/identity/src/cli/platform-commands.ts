import type { INestApplicationContext } from '@nestjs/common';
import { AuditLogRepository } from '@identity/audit';
import { OutboxWorker } from '@identity/delivery';
import { SessionPurgeJob } from '@identity/sessions';
import { SigningKeyService } from '@identity/tokens';
import { type CliIo, EXIT_FAILED, EXIT_OK, type PlatformCommandName } from './cli-command';

/**
 * Runs one platform-wide command with the services the running instances use for the same
 * job (key rotation of POST /admin/keys/rotate, the periodic purges, the audit chain check),
 * and returns the exit code.
 */
export async function runPlatformCommand(
  app: INestApplicationContext,
  name: PlatformCommandName,
  io: CliIo,
): Promise<number> {
  switch (name) {
    case 'rotate-keys': {
      const kid = await app.get(SigningKeyService).rotate('manual');
      io.out(
        `signing key rotated: ${kid} signs from now on; the previous key stays in JWKS ` +
          'until its last token has expired',
      );
      return EXIT_OK;
    }
    case 'purge': {
      const sessions = await app.get(SessionPurgeJob).purgeOnce();
      const outbox = await app.get(OutboxWorker).purgeDelivered();
      io.out(
        `purged ${sessions} dead session(s) with their refresh tokens and ${outbox} ` +
          'delivered outbox row(s) past retention',
      );
      return EXIT_OK;
    }
    case 'verify-audit-chain': {
      const verdict = await app.get(AuditLogRepository).verifyChain();
      if (verdict.ok) {
        io.out(`audit chain intact: ${verdict.count} row(s) verified`);
        return EXIT_OK;
      }
      io.err(
        `audit chain BROKEN at row id ${verdict.brokenAtId}: its hash or its link to the ` +
          'previous row does not match (rewritten, inserted, or the first row after a removed one)',
      );
      return EXIT_FAILED;
    }
  }
}
