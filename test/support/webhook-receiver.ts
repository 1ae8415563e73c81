import { createServer as createHttpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** How the receiver answers a request. */
export type ReceiverReply =
  /**
   * Answer this status (and body), after `delayMs` if given; with `keepOpen` the response
   * never ends after the body.
   */
  | { status: number; body?: string; keepOpen?: boolean; delayMs?: number }
  /** Read the request, then never answer (the sender's timeout must fire). */
  | { hang: true }
  /** Answer a redirect to `location` (302 unless told otherwise). */
  | { redirect: string; status?: 301 | 302 | 303 | 307 | 308 };

/** One request as the receiver got it. */
export interface ReceivedRequest {
  method: string;
  /** Path and query. */
  path: string;
  /** Header names lower-cased, as node parses them. */
  headers: IncomingHttpHeaders;
  /** The body exactly as received (signatures are checked against these bytes). */
  rawBody: Buffer;
  /** `rawBody` decoded as UTF-8. */
  body: string;
  /** When the request's headers arrived. */
  receivedAt: Date;
  /** The TLS server name (SNI) the client asked for; https receivers only. */
  servername?: string;
  /** The reply it was given. */
  reply: ReceiverReply;
}

export interface WebhookReceiverOptions {
  /** Serve https with this key and certificate instead of plain http. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Listen on this port (e.g. to come back where a stopped receiver was); default: any free. */
  port?: number;
}

/**
 * A real webhook receiver on 127.0.0.1 (random port) that records every request and answers
 * as told: a status, a redirect, or nothing at all (hang), for the next requests one by one
 * (`replyNext`) or for all from now on (`replyAlways`; 204 by default).
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly queued: ReceiverReply[] = [];
  private fallback: ReceiverReply = { status: 204 };

  constructor(private readonly options: WebhookReceiverOptions = {}) {}

  /** Starts listening; resolves with the origin, e.g. `http://127.0.0.1:39117`. */
  async start(): Promise<string> {
    const server = this.options.tls
      ? createHttpsServer({ key: this.options.tls.key, cert: this.options.tls.cert })
      : createHttpServer();
    server.on('connection', (socket: Socket) => this.track(socket));
    server.on('secureConnection', (socket: TLSSocket) => this.track(socket));
    server.on('request', (req, res) => {
      const receivedAt = new Date();
      const reply = this.queued.shift() ?? this.fallback;
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const rawBody = Buffer.concat(chunks);
        const servername = (req.socket as Partial<TLSSocket>).servername;
        this.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          rawBody,
          body: rawBody.toString('utf8'),
          receivedAt,
          ...(typeof servername === 'string' ? { servername } : {}),
          reply,
        });
        if ('hang' in reply) return;
        if ('redirect' in reply) {
          res.writeHead(reply.status ?? 302, { location: reply.redirect }).end();
          return;
        }
        const answer = () => {
          res.writeHead(reply.status, { 'content-type': 'text/plain' });
          if (reply.keepOpen) res.write(reply.body ?? '');
          else res.end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this.origin;
  }

  /** `http(s)://127.0.0.1:<port>`. */
  get origin(): string {
    return `${this.options.tls ? 'https' : 'http'}://127.0.0.1:${this.port}`;
  }

  /** A URL on this receiver. */
  url(path = '/hook'): string {
    return `${this.origin}${path}`;
  }

  /** Answers the next requests with these replies, one each, in order. */
  replyNext(...replies: ReceiverReply[]): this {
    this.queued.push(...replies);
    return this;
  }

  /** Answers every request from now on (after any queued replies) with `reply`. */
  replyAlways(reply: ReceiverReply): this {
    this.fallback = reply;
    return this;
  }

  /** Resolves with the requests once at least `count` have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 5_000): Promise<ReceivedRequest[]> {
    const until = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      if (Date.now() > until) {
        throw new Error(
          `expected ${count} webhook requests, got ${this.requests.length} in ${timeoutMs} ms`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.requests.slice();
  }

  /** Stops listening and cuts every open connection (hanging ones included). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

/** A request's Standard Webhooks headers, as `Webhook.verify` (standardwebhooks) takes them. */
export function webhookHeaders(request: Pick<ReceivedRequest, 'headers'>): {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
} {
  const one = (name: string) => {
    const value = request.headers[name];
    return Array.isArray(value) ? value.join(', ') : (value ?? '');
  };
  return {
    'webhook-id': one('webhook-id'),
    'webhook-timestamp': one('webhook-timestamp'),
    'webhook-signature': one('webhook-signature'),
  };
}
