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
    ...appUrlWarning(config.appUrl, running.url),
    ...(config.secrets.usingDevSecrets
      ? [
          '  WARNING: development PASSWORD_PEPPER / KEY_ENCRYPTION_KEY in use; production refuses them',
        ]
      : []),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '[::]']);
/** Names of this machine a browser on it reaches a loopback or wildcard bind by. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The banner's warning when APP_URL's origin is not the address the server listens on. Both
 * can be right (a proxy in front, a published port), but on a developer's machine it usually
 * means the UI opened at the printed address gets links and a socket.io origin check made
 * for another one. Empty when they agree: a wildcard bind agrees with any host on its port,
 * and a loopback bind with this machine's other names for it (the default APP_URL,
 * http://localhost:3000, with the default bind, 127.0.0.1:3000).
 */
export function appUrlWarning(appUrl: string, listenUrl: string): string[] {
  const app = new URL(appUrl);
  const listen = new URL(listenUrl);
  if (app.origin === listen.origin) return [];
  const samePort = app.protocol === 'http:' && app.port === listen.port;
  if (samePort && WILDCARD_HOSTS.has(listen.hostname)) return [];
  if (samePort && LOCAL_HOSTS.has(listen.hostname) && LOCAL_HOSTS.has(app.hostname)) return [];
  return [
    `  WARNING: APP_URL is ${app.origin}, but the server listens on ${listen.origin}: emailed links`,
    '  and the socket.io origin check use APP_URL. Open the web UI at APP_URL, or set APP_URL to',
    '  the address browsers reach this server at.',
  ];
}
