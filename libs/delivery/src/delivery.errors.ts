import { DomainError } from '@identity/kernel';

/** Codes of errors the delivery context raises. */
export type DeliveryErrorCode =
  /** The stored payload cannot be opened or has an unknown shape (wrong key, version skew). */
  'delivery.payload_unreadable';

/**
 * A delivery failure that retrying cannot fix: the worker marks the row dead at once
 * instead of burning the retry schedule. Its message is stored in `last_error`, so it must
 * never carry a secret.
 */
export class DeliveryError extends DomainError<DeliveryErrorCode> {}

const MAX_ERROR_LENGTH = 300;

/**
 * The error as `last_error` and the logs keep it: the code and the first line of the
 * message, shortened, with URL credentials and token-like query values blanked. Channels
 * report transport errors (SMTP replies, HTTP failures) that can quote a URL; the outbox
 * must not turn them into a copy of a live link.
 */
export function describeDeliveryError(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  const firstLine = (e.message.split(/\r?\n/)[0] ?? '').trim() || e.name;
  const prefix = typeof code === 'string' && !firstLine.includes(code) ? `${code}: ` : '';
  const cleaned = `${prefix}${firstLine}`
    .replace(/\/\/[^/\s:@]+:[^@\s/]+@/g, '//***@')
    .replace(/([?&](?:token|key|secret|signature|code|password)=)[^&\s"'<>]*/gi, '$1***');
  return cleaned.length > MAX_ERROR_LENGTH ? `${cleaned.slice(0, MAX_ERROR_LENGTH - 1)}…` : cleaned;
}
