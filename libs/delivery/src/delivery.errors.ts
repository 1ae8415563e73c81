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

/** Whatever an SMTP reply wraps in angle brackets (a mailbox, a message id, a path). */
const ANGLE_BRACKETED = /<[^<>\r\n]*>/g;
/**
 * An email address: a local part and a domain around `@`, with none of the separators SMTP
 * replies put around addresses. Runs after the URL-credential rule, whose `//***@` it leaves.
 */
const EMAIL_ADDRESS = /[^\s<>()[\]"',;:/@]+@[^\s<>()[\]"',;:/@]+/g;

/**
 * The error as `last_error` and the logs keep it: the code and the first line of the
 * message, shortened, with URL credentials, token-like query values and email addresses
 * blanked. Channels report transport errors (SMTP replies, HTTP failures) that can quote a
 * URL or the recipient ("550 5.1.1 <bob@example.com>: Recipient address rejected"); the
 * outbox must not turn them into a copy of a live link, nor keep users' addresses in a
 * column and log lines that outlive the mail.
 */
export function describeDeliveryError(err: unknown): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const code = (e as { code?: unknown }).code;
  const firstLine = (e.message.split(/\r?\n/)[0] ?? '').trim() || e.name;
  const prefix = typeof code === 'string' && !firstLine.includes(code) ? `${code}: ` : '';
  const cleaned = `${prefix}${firstLine}`
    .replace(/\/\/[^/\s:@]+:[^@\s/]+@/g, '//***@')
    .replace(/([?&](?:token|key|secret|signature|code|password)=)[^&\s"'<>]*/gi, '$1***')
    .replace(ANGLE_BRACKETED, '<redacted>')
    .replace(EMAIL_ADDRESS, (match) => (match.startsWith('***@') ? match : '[email]'));
  return cleaned.length > MAX_ERROR_LENGTH ? `${cleaned.slice(0, MAX_ERROR_LENGTH - 1)}…` : cleaned;
}
