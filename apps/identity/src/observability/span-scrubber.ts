import { type Context, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Attributes the instrumentations record by default that may identify a person or carry a
 * secret: the client's address and user agent (old and stable semantic conventions), and
 * query strings (`/auth/verify-email?token=`, a provider's `?code=`).
 */
const DROPPED = new Set([
  'http.user_agent',
  'user_agent.original',
  'http.client_ip',
  'client.address',
  'client.port',
  'net.peer.ip',
  'net.peer.port',
  'net.sock.peer.addr',
  'net.sock.peer.port',
  'network.peer.address',
  'network.peer.port',
  'url.query',
  'http.request.header.cookie',
  'http.request.header.authorization',
  'exception.message',
  'exception.stacktrace',
]);

/** Attributes that hold a URL or a request target: kept without their query string. */
const URLS = new Set(['http.url', 'http.target', 'url.full', 'url.path', 'http.route']);

/** Of an outgoing request's URL only the origin is kept: a path may hold a secret. */
const OUTGOING_PATHS = new Set(['http.target', 'url.path']);
const OUTGOING_URLS = new Set(['http.url', 'url.full']);

/**
 * Removes what {@link DROPPED} names and cuts the query off what {@link URLS} names. With
 * `outgoing` (a client span: a webhook, a provider, the breach API), URLs are cut to their
 * origin and paths dropped: a receiver's URL may carry its secret in the path
 * (`/services/T0/B0/<secret>`).
 */
export function scrubAttributes(attributes: Record<string, unknown>, outgoing = false): void {
  for (const key of Object.keys(attributes)) {
    if (DROPPED.has(key) || (outgoing && OUTGOING_PATHS.has(key))) {
      delete attributes[key];
      continue;
    }
    const value = attributes[key];
    if (typeof value !== 'string') continue;
    if (outgoing && OUTGOING_URLS.has(key)) {
      attributes[key] = originOf(value);
    } else if (URLS.has(key)) {
      const cut = value.indexOf('?');
      if (cut >= 0) attributes[key] = value.slice(0, cut);
    }
  }
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '';
  }
}

/**
 * The last word on what leaves in a span: registered before the exporting processor, it
 * scrubs every ended span (and its events) with {@link scrubAttributes}, and drops the error
 * messages instrumentations copy into the status (a Postgres error can quote a row's values,
 * e.g. a duplicate email). The exception's type stays, so failures still show.
 */
export class SpanScrubber implements SpanProcessor {
  onStart(_span: Span, _parentContext: Context): void {}

  onEnd(span: ReadableSpan): void {
    // The exporter reads the same span objects later: scrubbing them here is what it sends.
    const outgoing = span.kind === SpanKind.CLIENT;
    scrubAttributes(span.attributes, outgoing);
    for (const event of span.events) {
      if (event.attributes) scrubAttributes(event.attributes, outgoing);
    }
    if (span.status.message) (span.status as { message?: string }).message = undefined;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
