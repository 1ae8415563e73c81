import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

/** The three Standard Webhooks headers a delivery carries. */
export interface WebhookSignatureHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** What one delivery attempt signs. */
export interface WebhookSigningInput {
  /** The message id, stable across retries so receivers deduplicate. */
  id: string;
  /** When this attempt is made (receivers refuse timestamps far from their clock). */
  timestamp: Date;
  /** The exact body string sent (UTF-8 on the wire); one changed byte breaks the signature. */
  body: string;
  /** The receiver's secret, or during a rotation the new and the old one (both sign). */
  secrets: readonly [string] | readonly [string, string];
}

/** A signing input that cannot be signed. The message never contains a secret. */
export class WebhookSignatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSignatureError';
  }
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;
/** Standard Webhooks asks for 24 to 64 random bytes; the receiver registry enforces the same. */
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;
/**
 * An id goes into a header and into the signed content: printable ASCII without spaces or
 * dots. A dot would make "id.timestamp.body" ambiguous: id `a.1` at time 2 with body `X` signs
 * the same bytes as id `a` at time 1 with body `2.X`, so a replayer could alter the body.
 */
const MESSAGE_ID = /^[\x21-\x2d\x2f-\x7e]{1,128}$/;

/**
 * True when `secret` is `whsec_` + canonical base64 (padded, no stray bits) of 24 to 64
 * bytes: the rule for accepting a secret at registration, since receivers' base64 decoders
 * differ on unpadded or non-canonical input (and `Buffer` silently skips stray characters).
 */
export function isValidWebhookSecret(secret: string): boolean {
  const base64 = SECRET.exec(secret)?.[1];
  if (!base64) return false;
  const bytes = Buffer.from(base64, 'base64');
  return (
    bytes.toString('base64') === base64 &&
    bytes.length >= MIN_SECRET_BYTES &&
    bytes.length <= MAX_SECRET_BYTES
  );
}

/** A fresh receiver secret: `whsec_` + base64 of 32 random bytes (API.md). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The Standard Webhooks headers for one delivery attempt: `webhook-signature` is
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per secret, space-separated when two
 * secrets sign during a rotation. Signing is the `standardwebhooks` package's own, so what a
 * receiver verifies with that package is, byte for byte, what was signed here.
 * @throws WebhookSignatureError for a malformed id, an invalid date, no secret, more than
 *   two, or a secret that is not `whsec_` + base64 of 24 to 64 bytes.
 */
export function signWebhook(input: WebhookSigningInput): WebhookSignatureHeaders {
  const { id, timestamp, body, secrets } = input;
  if (!MESSAGE_ID.test(id)) throw new WebhookSignatureError('malformed webhook id');
  if (Number.isNaN(timestamp.getTime())) throw new WebhookSignatureError('invalid timestamp');
  if (secrets.length < 1 || secrets.length > 2) {
    throw new WebhookSignatureError('one or two secrets sign a webhook');
  }
  const signatures = secrets.map((secret, i) => signerFor(secret, i).sign(id, timestamp, body));
  return {
    'webhook-id': id,
    // The same flooring `sign` applies, so the header and the signed content agree.
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}

/**
 * The package's signer for one secret. Signing is a little more lenient than registration
 * (`isValidWebhookSecret`): a stored secret the package decodes to 24 to 64 bytes still
 * signs, so a stricter rule later cannot silence a receiver registered earlier.
 */
function signerFor(secret: string, index: number): Webhook {
  const refused = () =>
    new WebhookSignatureError(`secret ${index + 1} is not whsec_ + base64 of 24 to 64 bytes`);
  const base64 = SECRET.exec(secret)?.[1];
  if (!base64) throw refused();
  const bytes = Buffer.from(base64, 'base64').length;
  if (bytes < MIN_SECRET_BYTES || bytes > MAX_SECRET_BYTES) throw refused();
  try {
    return new Webhook(secret);
  } catch {
    // The package's decoder refused it (e.g. bad padding); its message is not ours to pass on.
    throw refused();
  }
}
