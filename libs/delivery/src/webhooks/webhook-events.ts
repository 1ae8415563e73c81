import type { EventBase, IdentityEventMap } from '@identity/audit';

/**
 * The event types a webhook receiver can subscribe to: exactly the list of API.md
 * ("Webhooks (SOC/SIEM)"). Domain events outside it (`user.email_verified`, `role.updated`,
 * ...) are audited but not sent.
 */
export const WEBHOOK_EVENT_TYPES = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.login.throttled',
  'auth.mfa.failed',
  'auth.refresh.reused',
  'session.revoked',
  'user.registered',
  'user.locked',
  'user.unlocked',
  'user.roles_changed',
  'user.password_changed',
  'user.password_reset',
  'mfa.enabled',
  'mfa.disabled',
  'identity.linked',
  'identity.unlinked',
  'user.email_changed',
  'user.deleted',
  'key.rotated',
  'webhook.test',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/**
 * Payloads of contract event types that the domain does not emit yet. Once `IdentityEventMap` gets one of these, the domain's
 * type wins in `WebhookEventMap` and its line here can go; nothing else changes.
 */
export interface UpcomingWebhookEventMap {
  'auth.mfa.failed': EventBase & { userId: string };
}

/** The payload of each webhook event type: the domain's where it exists, else the upcoming one. */
export type WebhookEventMap = {
  [K in WebhookEventType]: K extends keyof IdentityEventMap
    ? IdentityEventMap[K]
    : K extends keyof UpcomingWebhookEventMap
      ? UpcomingWebhookEventMap[K]
      : never;
};

// A contract type with neither a domain nor an upcoming payload would be `never`: a type error.
type UntypedEventType = {
  [K in WebhookEventType]: [WebhookEventMap[K]] extends [never] ? K : never;
}[WebhookEventType];
const _everyEventTypeHasAPayload: [UntypedEventType] extends [never] ? true : UntypedEventType =
  true;

/** One event as the webhook side receives it (the shape of the audit lib's `IdentityEvent`). */
export interface WebhookEvent<K extends WebhookEventType = WebhookEventType> {
  type: K;
  payload: WebhookEventMap[K];
  /** When it happened (the body's `timestamp`/`time`, not the attempt's). */
  at: Date;
}

/** Any webhook event, as a union discriminated on `type`. */
export type AnyWebhookEvent = { [K in WebhookEventType]: WebhookEvent<K> }[WebhookEventType];

const TYPES: ReadonlySet<string> = new Set(WEBHOOK_EVENT_TYPES);

/** True for a type a receiver may subscribe to and a webhook may carry. */
export function isWebhookEventType(type: string): type is WebhookEventType {
  return TYPES.has(type);
}
