import type { INestApplicationContext } from '@nestjs/common';
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
 * Browsers are admitted only from APP_URL's origin and CORS_ORIGINS; clients that send no
 * Origin (services, tests) are admitted, and authenticate like everyone else.
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
        const allowed = origin === undefined || this.allowedOrigins.has(origin);
        callback(null, allowed && !this.draining);
      },
    }) as Server;
    if (this.redis) {
      quietUnsubscribes(this.redis.sub);
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
    await Promise.allSettled([this.redis.pub.quit(), this.redis.sub.quit()]);
  }
}

/**
 * The Redis adapter unsubscribes on close without awaiting the result; with Redis down at
 * shutdown those commands reject with nobody listening, an unhandled rejection that would
 * take the process down. Losing an unsubscribe from a dying server is harmless: swallow it.
 */
function quietUnsubscribes(client: Redis): void {
  for (const name of ['unsubscribe', 'punsubscribe', 'sunsubscribe'] as const) {
    const original = client[name].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      original(...args).catch(() => undefined);
  }
}
