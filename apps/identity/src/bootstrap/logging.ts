import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { Params } from 'nestjs-pino';
import { destination, type DestinationStream } from 'pino';
import type { Options } from 'pino-http';
import type { AppConfig } from '@identity/config';

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Echoes a well-formed incoming X-Request-Id, else makes one; the response always carries it. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id =
    typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Express middleware: gives the request its id (and the response its header) first thing. */
export function assignRequestId(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  (req as IncomingMessage & { id?: string }).id = requestId(req, res);
  next();
}

/** The id {@link assignRequestId} gave the request, for pino-http (which must not make another). */
function existingRequestId(req: IncomingMessage, res: ServerResponse): string {
  return (req as IncomingMessage & { id?: string }).id ?? requestId(req, res);
}

/** Paths never logged with their query string: it may hold a token (`/auth/verify-email?token=`). */
function pathOnly(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/**
 * `trace_id` and `span_id` of the span active where a line is logged (a request's, a gRPC
 * call's, an outbox delivery's), so logs and traces meet; nothing outside a span.
 */
function traceFields(): { trace_id?: string; span_id?: string } {
  const context = trace.getActiveSpan()?.spanContext();
  // A new object each time: pino merges the line's own fields into it.
  if (!context || !isSpanContextValid(context)) return {};
  return { trace_id: context.traceId, span_id: context.spanId };
}

/**
 * pino JSON logs with the request id (and, when tracing is on, the trace and span ids). What a request log holds is whitelisted (method, path
 * without query, status, duration): no headers, cookies, bodies, IPs or query strings, so
 * tokens, passwords and emails cannot reach the logs through it. `redact` is a second net
 * for anything logged by hand.
 */
export function loggerParams(config: AppConfig, stream?: DestinationStream): Params {
  const options: Options = {
    level: config.logLevel,
    genReqId: existingRequestId,
    // In the base bindings, serialised once at boot, rather than `customProps`, which pino-http
    // turns into a child logger per request and a string comparison per response.
    base: { pid: process.pid, hostname: hostname(), service: 'identity' },
    // Only with tracing on: otherwise there is never a span, and no line should pay to ask.
    ...(config.tracing.otlpEndpoint ? { mixin: traceFields } : {}),
    serializers: {
      req: (req: { id?: unknown; method?: string; url?: string }) => ({
        id: req.id,
        method: req.method,
        path: pathOnly(req.url),
      }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        '*.password',
        '*.new_password',
        '*.current_password',
        '*.token',
        '*.refresh_token',
        '*.access_token',
        '*.email',
      ],
      censor: '[redacted]',
    },
    // Health probes and scrapes would drown everything else.
    autoLogging: { ignore: (req) => /^\/(healthz|readyz|metrics)$/.test(pathOnly(req.url)) },
  };
  return { pinoHttp: [options, stream ?? stdoutDestination()] };
}

/**
 * Standard output, written asynchronously: a line is handed to the kernel as soon as the
 * previous write is done, and lines logged meanwhile go out together, so a busy instance makes
 * one write per batch instead of one blocking write per request (about 15 % of a refresh's
 * throughput, measured with the bench). pino flushes what is pending when the process exits;
 * only a SIGKILL or a crash of the machine can lose the last lines.
 */
function stdoutDestination(): DestinationStream {
  return destination({ dest: 1, sync: false });
}
