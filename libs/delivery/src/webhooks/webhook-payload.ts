import { buildOcsfEvent, type OcsfProduct } from './ocsf';
import type { AnyWebhookEvent, WebhookEventType } from './webhook-events';

/** How a receiver wants its bodies (API.md: `format` of `POST /admin/webhooks`). */
export const WEBHOOK_FORMATS = ['standard', 'ocsf'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

type WireValue = string | number | boolean | readonly string[];

/** The `standard` body: Standard Webhooks' `{ type, timestamp, data }`. */
export interface StandardWebhookPayload {
  type: WebhookEventType;
  /** When the event happened, ISO 8601 in UTC. */
  timestamp: string;
  data: Record<string, WireValue>;
}

/**
 * The payload fields a `standard` body may carry, with their wire names, in wire order.
 * Anything else on a payload (a field added to the domain event tomorrow, say an email) is
 * left out: a field reaches receivers only once it is listed here. None of these is a
 * token, password, secret, email or raw IP (`ipHash` is the keyed hash of the client IP).
 */
const STANDARD_FIELDS = [
  ['userId', 'user_id'],
  ['sessionId', 'session_id'],
  ['actorId', 'actor_id'],
  ['reason', 'reason'],
  ['scope', 'scope'],
  ['sessionIds', 'session_ids'],
  ['keptSessionId', 'kept_session_id'],
  ['roles', 'roles'],
  ['amr', 'amr'],
  ['method', 'method'],
  ['via', 'via'],
  ['provider', 'provider'],
  ['kid', 'kid'],
  ['previousKid', 'previous_kid'],
  ['webhookId', 'webhook_id'],
  ['ipHash', 'ip_hash'],
] as const;

/** The `standard` body of an event: its type, when it happened and its listed ids. */
export function buildStandardPayload(event: AnyWebhookEvent): StandardWebhookPayload {
  const payload: object = event.payload;
  const data: Record<string, WireValue> = {};
  for (const [field, wireName] of STANDARD_FIELDS) {
    if (!Object.hasOwn(payload, field)) continue;
    const value = wireValue((payload as Record<string, unknown>)[field]);
    if (value !== undefined) data[wireName] = value;
  }
  return { type: event.type, timestamp: event.at.toISOString(), data };
}

/** What an OCSF body needs besides the event. */
export interface WebhookBodyContext {
  /** This platform as OCSF's `metadata.product` names it. */
  product: OcsfProduct;
}

/**
 * The exact body string to sign and send for `event` in `format`, or null when the format
 * does not carry this event type (see `OCSF_NOT_SENT`). Build it once, when the delivery is
 * queued, and keep it: retries must send (and sign) the same bytes.
 */
export function buildWebhookBody(
  event: AnyWebhookEvent,
  format: WebhookFormat,
  context: WebhookBodyContext,
): string | null {
  switch (format) {
    case 'standard':
      return JSON.stringify(buildStandardPayload(event));
    case 'ocsf': {
      const ocsf = buildOcsfEvent(event, context.product);
      return ocsf === null ? null : JSON.stringify(ocsf);
    }
  }
}

/** Scalars and string lists only: an object on a payload is never copied wholesale. */
function wireValue(value: unknown): WireValue | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value) && value.every((v): v is string => typeof v === 'string')) {
    return [...value];
  }
  return undefined;
}
