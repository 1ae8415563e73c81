import { Agent, request as httpRequest } from 'node:http';

/** One HTTP exchange as a client saw it: a status, or the error that stood in for one. */
export interface Exchange {
  status?: number;
  /** Network error code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ...). */
  error?: string;
  body?: Record<string, unknown>;
}

/** Every exchange of an experiment, counted by what came back ("200", "503", "ECONNRESET"...). */
export class Tally {
  readonly answers = new Map<string, number>();
  requests = 0;

  add(exchange: Exchange): void {
    this.requests += 1;
    const key = exchange.status !== undefined ? String(exchange.status) : (exchange.error ?? '?');
    this.answers.set(key, (this.answers.get(key) ?? 0) + 1);
  }

  /** `200: 812, 503: 40, ECONNREFUSED: 3`, statuses first. */
  describe(): string {
    return [...this.answers.entries()]
      .sort(([a], [b]) => (/^\d/.test(a) ? a : `~${a}`).localeCompare(/^\d/.test(b) ? b : `~${b}`))
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
  }

  /** Exchanges that ended in a reset or hang-up of a connection the server had accepted. */
  resets(): number {
    return ['ECONNRESET', 'EPIPE', 'SOCKET_HANG_UP'].reduce(
      (n, code) => n + (this.answers.get(code) ?? 0),
      0,
    );
  }
}

/** A small JSON client over node:http with keep-alive connections, bounded by a timeout. */
export class JsonClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });
  /** Where every exchange is counted (swapped per experiment). */
  tally = new Tally();

  constructor(private readonly baseUrl: () => string) {}

  send(
    method: string,
    path: string,
    options: { body?: unknown; bearer?: string; timeoutMs?: number } = {},
  ): Promise<Exchange> {
    const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
    const headers: Record<string, string> = {};
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
    return new Promise<Exchange>((resolve) => {
      const req = httpRequest(`${this.baseUrl()}${path}`, { method, headers, agent: this.agent });
      req.setTimeout(options.timeoutMs ?? 5_000, () => req.destroy(codeError('ETIMEDOUT')));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: Record<string, unknown> | undefined;
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode, body });
        });
        res.on('error', (e: NodeJS.ErrnoException) => resolve({ error: errorCode(e) }));
      });
      req.on('error', (e: NodeJS.ErrnoException) => resolve({ error: errorCode(e) }));
      req.end(payload);
    }).then((exchange) => {
      this.tally.add(exchange);
      return exchange;
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function codeError(code: string): Error {
  return Object.assign(new Error(code), { code });
}

function errorCode(e: NodeJS.ErrnoException): string {
  if (e.code)
    return e.code === 'ECONNRESET' && /hang up/.test(e.message) ? 'SOCKET_HANG_UP' : e.code;
  return e.message;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));
