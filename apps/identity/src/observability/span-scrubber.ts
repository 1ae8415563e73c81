import type { Context } from '@opentelemetry/api';
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

/** Removes what {@link DROPPED} names and cuts the query off what {@link URLS} names. */
export function scrubAttributes(attributes: Record<string, unknown>): void {
  for (const key of Object.keys(attributes)) {
    if (DROPPED.has(key)) {
      delete attributes[key];
      continue;
    }
    const value = attributes[key];
    if (URLS.has(key) && typeof value === 'string') {
      const cut = value.indexOf('?');
      if (cut >= 0) attributes[key] = value.slice(0, cut);
    }
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
    scrubAttributes(span.attributes);
    for (const event of span.events) if (event.attributes) scrubAttributes(event.attributes);
    if (span.status.message) (span.status as { message?: string }).message = undefined;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
