import { type INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { IncomingMessage } from 'node:http';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '@identity/config';

/**
 * socket.io on the HTTP port. Websocket transport only, so no sticky sessions are needed
 * behind a load balancer; with REDIS_URL the Redis adapter carries room broadcasts between
 * instances (a revocation on instance A reaches a browser connected to instance B).
 * Browsers are admitted only from APP_URL's origin, CORS_ORIGINS and the server's own origin
 * as the browser reached it (a page served by this server, opened at whatever address: the
 * Origin's host is the request's Host); clients that send no Origin (services, tests) are
 * admitted, and authenticate like everyone else.
 */
export class IdentitySocketAdapter extends IoAdapter {
  private readonly allowedOrigins: Set<string>;
  /** Channel prefix of the Redis adapter: apps (and test files) sharing a Redis stay apart. */
  private readonly channelKey: string;
  private io: Server | undefined;
  private draining = false;

  constructor(
    app: INestApplicationContext,
    config: AppConfig,
    private readonly redis?: { pub: Redis; sub: Redis },
  ) {
    super(app);
    this.allowedOrigins = new Set([new URL(config.appUrl).origin, ...config.corsOrigins]);
    this.channelKey = `${config.redis.keyPrefix}socket.io`;
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      transports: ['websocket'],
      allowRequest: (req: IncomingMessage, callback: (err: string | null, ok: boolean) => void) => {
        const origin = req.headers.origin;
        const allowed =
          origin === undefined ||
          this.allowedOrigins.has(origin) ||
          isOwnOrigin(origin, req.headers.host);
        callback(null, allowed && !this.draining);
      },
    }) as Server;
    if (this.redis) {
      handleRejections(this.redis.pub);
      handleRejections(this.redis.sub);
      server.adapter(createAdapter(this.redis.pub, this.redis.sub, { key: this.channelKey }));
    }
    this.io = server;
    return server;
  }

  /**
   * When draining starts: stops admitting sockets and closes every connected one (all
   * namespaces). A socket never finishes on its own, so it would hold the HTTP drain until the
   * deadline; its client reconnects (socket.io retries with backoff) to an instance that is
   * still ready. Sockets carry no state worth finishing: a new handshake rebuilds the rooms.
   */
  drain(): void {
    this.draining = true;
    this.io?.engine.close();
  }

  /** Closes the Redis adapter's connections (after the socket server itself has closed). */
  async closeRedis(): Promise<void> {
    if (!this.redis) return;
    await Promise.all([closeConnection(this.redis.pub), closeConnection(this.redis.sub)]);
  }
}

/**
 * Whether a browser's Origin is this server as the browser reached it: same host and port as
 * the request's Host header. That is the page's own origin (a foreign page's Origin names its
 * own host), so it is safe to admit: a cross-site page never matches, and a page served under
 * another name that resolves here (DNS rebinding) matches but holds none of this site's
 * cookies, so its handshake has no session to show.
 */
export function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    const url = new URL(origin);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && url.host === host.toLowerCase()
    );
  } catch {
    return false;
  }
}

/** Bounds QUIT: a hung Redis must not hang shutdown. */
const QUIT_TIMEOUT_MS = 1_000;

/**
 * QUIT when connected (bounded), else a hard disconnect: a QUIT queued on a connection that
 * is down would wait for a reconnect that never comes, and its retry loop would keep the
 * process alive.
 */
async function closeConnection(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') return client.disconnect();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
  });
  await Promise.race([client.quit().catch(() => undefined), timedOut]);
  clearTimeout(timer);
  // Ends a QUIT that timed out (and its reconnect loop); a no-op after a clean QUIT.
  client.disconnect();
}

const logger = new Logger('IdentitySocketAdapter');

/**
 * The Redis adapter sends some commands without awaiting or catching them: PUBLISH on every
 * cross-instance broadcast (a revocation push), (P/S)UNSUBSCRIBE on close. While Redis is down
 * each of those rejects with nobody listening, an unhandled rejection that would take the
 * process down. Here they resolve instead. A failed PUBLISH is logged: the local half of the
 * broadcast was delivered, only sockets on other instances missed it (they still expire with
 * their tokens). An unsubscribe is only sent on a live connection: queued on a dead one it
 * would hold a timer past shutdown, and a closing server loses nothing by skipping it.
 */
function handleRejections(client: Redis): void {
  const methods = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of ['publish', 'spublish']) {
    const original = methods[name]!.bind(client);
    methods[name] = (...args) =>
      original(...args).catch((err: unknown) => {
        logger.warn(
          { command: name, err: err instanceof Error ? err.message : String(err) },
          'socket.io Redis adapter command failed; other instances missed a broadcast',
        );
        return undefined;
      });
  }
  for (const name of ['unsubscribe', 'punsubscribe', 'sunsubscribe']) {
    const original = methods[name]!.bind(client);
    methods[name] = (...args) =>
      client.status === 'ready'
        ? original(...args).catch(() => undefined)
        : Promise.resolve(undefined);
  }
}
