import { request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import {
  type LookupAll,
  resolveTarget,
  type ResolvedTarget,
  WebhookTargetError,
  type WebhookTargetErrorCode,
} from './target-policy';
import type { WebhookSignatureHeaders } from './webhook-signature';

/** Why an attempt failed; every one of them is retried (API.md), up to the schedule's end. */
export type WebhookSendError =
  | WebhookTargetErrorCode
  /** No answer within the timeout (DNS, connect, TLS and response headers together). */
  | 'timeout'
  /** Refused, reset, unreachable: no HTTP answer. */
  | 'connection'
  /** The TLS handshake failed (certificate not trusted, wrong name, protocol). */
  | 'tls'
  /** An HTTP answer other than 2xx, redirects included (they are not followed). */
  | 'status';

/** The outcome of one attempt. `message` is short and never holds a URL, header or secret. */
export type WebhookSendOutcome =
  | { ok: true; status: number }
  | { ok: false; error: WebhookSendError; status?: number; message: string };

/** One delivery attempt. */
export interface WebhookSendRequest {
  url: string;
  /** The exact body the signature covers. */
  body: string;
  headers: WebhookSignatureHeaders;
  /** `WEBHOOK_ALLOW_PRIVATE`: whether loopback and private receivers are allowed. */
  allowPrivate: boolean;
}

export interface WebhookSenderOptions {
  /** Whole-attempt budget: resolve, connect, send, response headers. API.md: 10 s. */
  timeoutMs?: number;
  userAgent?: string;
  /** How host names are resolved (tests inject one); the system resolver by default. */
  lookup?: LookupAll;
  /** Extra CAs trusted for https receivers (a private PKI); the system store otherwise. */
  ca?: string | Buffer | (string | Buffer)[];
  /** At most this much of a response body is read (then the connection is dropped). */
  maxResponseBytes?: number;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;
export const WEBHOOK_USER_AGENT = 'identity-webhooks/1';
const MAX_RESPONSE_BYTES = 4096;

class AttemptTimeout extends Error {}

/**
 * Makes one webhook delivery attempt: checks the URL and resolves its host through the
 * target policy (checked again at every attempt: DNS may have changed since registration),
 * then POSTs to exactly the addresses that were checked. The connection never asks DNS
 * again (a second answer could point inside: DNS rebinding), while the Host header and the
 * TLS server name stay the URL's host, so virtual hosts and certificates work as usual.
 * Redirects are not followed. Never throws: every failure is an outcome.
 */
export class WebhookSender {
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: WebhookSenderOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
    this.userAgent = options.userAgent ?? WEBHOOK_USER_AGENT;
    this.maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  }

  async send(request: WebhookSendRequest): Promise<WebhookSendOutcome> {
    const deadline = Date.now() + this.timeoutMs;
    let target: ResolvedTarget;
    try {
      target = await beforeDeadline(
        resolveTarget(request.url, {
          allowPrivate: request.allowPrivate,
          ...(this.options.lookup ? { lookup: this.options.lookup } : {}),
        }),
        deadline,
      );
    } catch (err) {
      if (err instanceof WebhookTargetError) {
        return { ok: false, error: err.code, message: err.message };
      }
      if (err instanceof AttemptTimeout) return this.timedOut();
      return { ok: false, error: 'unresolvable', message: 'target host does not resolve' };
    }
    return this.post(target, request, deadline);
  }

  private post(
    target: ResolvedTarget,
    request: WebhookSendRequest,
    deadline: number,
  ): Promise<WebhookSendOutcome> {
    return new Promise((resolve) => {
      const body = Buffer.from(request.body, 'utf8');
      const https = target.url.protocol === 'https:';
      const options: RequestOptions & { servername?: string; ca?: WebhookSenderOptions['ca'] } = {
        method: 'POST',
        hostname: target.hostname,
        port: target.url.port || (https ? 443 : 80),
        path: `${target.url.pathname}${target.url.search}`,
        headers: {
          ...request.headers,
          'content-type': 'application/json',
          'content-length': body.length,
          'user-agent': this.userAgent,
        },
        // A fresh connection per attempt: a pooled socket could lead to an address checked
        // for another URL (or before DNS changed).
        agent: false,
        lookup: pinnedLookup(target),
        ...(https && isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
        ...(https && this.options.ca ? { ca: this.options.ca } : {}),
      };
      let outcome: WebhookSendOutcome | undefined;
      let req: ClientRequest | undefined;
      let settled = false;
      const finish = (result: WebhookSendOutcome): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req?.destroy();
        resolve(result);
      };
      const timer = setTimeout(
        // Headers already in: the answer is known, only its body is slow.
        () => finish(outcome ?? this.timedOut()),
        Math.max(0, deadline - Date.now()),
      );
      try {
        req = (https ? httpsRequest : httpRequest)(options);
      } catch (err) {
        // Node refuses some options synchronously (e.g. a header value it will not send).
        finish(errorOutcome(err as Error));
        return;
      }
      req.on('response', (res) => {
        outcome = statusOutcome(res.statusCode ?? 0);
        const known = outcome;
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= this.maxResponseBytes) finish(known);
        });
        res.on('end', () => finish(known));
        res.on('error', () => finish(known));
        res.on('close', () => finish(known));
      });
      req.on('error', (err) => finish(outcome ?? errorOutcome(err)));
      req.end(body);
    });
  }

  private timedOut(): WebhookSendOutcome {
    return { ok: false, error: 'timeout', message: `no answer within ${this.timeoutMs} ms` };
  }
}

/**
 * A `lookup` for the connection that answers the addresses already checked, whatever the
 * host name. (Node skips `lookup` for IP literals: those connect to themselves.)
 */
function pinnedLookup(target: ResolvedTarget): LookupFunction {
  const [first] = target.addresses;
  return (_hostname, options, callback) => {
    if (!first) {
      callback(Object.assign(new Error('no checked address'), { code: 'ENOTFOUND' }), '', 4);
    } else if (options.all) {
      callback(
        null,
        target.addresses.map((a) => ({ address: a.address, family: a.family })),
      );
    } else {
      callback(null, first.address, first.family);
    }
  };
}

function statusOutcome(status: number): WebhookSendOutcome {
  if (status >= 200 && status < 300) return { ok: true, status };
  const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
  return { ok: false, error: 'status', status, message: `HTTP ${status}${redirect}` };
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** Only the error's code reaches the message: node's messages name addresses and hosts. */
function errorOutcome(err: Error): WebhookSendOutcome {
  const raw = (err as NodeJS.ErrnoException).code;
  const code = typeof raw === 'string' && /^[A-Z0-9_]{1,60}$/.test(raw) ? raw : undefined;
  if (code && TLS_CODE.test(code)) {
    return { ok: false, error: 'tls', message: `TLS handshake failed (${code})` };
  }
  return {
    ok: false,
    error: 'connection',
    message: code ? `connection failed (${code})` : 'connection failed',
  };
}

/** `promise`, or an `AttemptTimeout` rejection once `deadline` (epoch ms) has passed. */
async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout()), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
