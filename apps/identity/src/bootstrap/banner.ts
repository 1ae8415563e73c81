import type { AppConfig } from '@identity/config';
import type { RunningApp } from './start-app';

/** The start-up banner: where it listens, which mode runs, and how to switch. */
export function printBanner(config: AppConfig, running: RunningApp): void {
  const lines = [
    '',
    `  identity platform listening on ${running.url}  (gRPC ${running.grpcAddress})`,
    running.database.kind === 'embedded'
      ? `  database: embedded PGlite in ${running.database.location} — set DATABASE_URL for a real Postgres`
      : `  database: Postgres at ${running.database.location}`,
    running.kv === 'memory'
      ? '  kv: in-memory (single instance only) — set REDIS_URL to share limits and pushes between instances'
      : '  kv: Redis',
    config.mail.smtpUrl ? '  mail: SMTP' : '  mail: written to the log — set SMTP_URL to send it',
    ...(config.secrets.usingDevSecrets
      ? [
          '  WARNING: development PASSWORD_PEPPER / KEY_ENCRYPTION_KEY in use; production refuses them',
        ]
      : []),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
