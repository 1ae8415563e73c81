import type { WebhookFormat } from './webhook-payload';

/**
 * The `webhook_endpoints` table (migrations/1764000000000-initial-schema.ts, extended by
 * 1795500000000-webhook-delivery.ts), for `WebhookEndpointRepository` only: one row per
 * receiver (`pk_webhook_endpoints`), `events` non-empty (`ck_webhook_endpoints_events`, may
 * hold `*`), `format` `standard` or `ocsf` (`ck_webhook_endpoints_format`). `secret_enc` is
 * the secret sealed under the key-encryption key with the row id as aad (`kek_id` names that
 * key); during a rotation `previous_secret_enc` (sealed the same way) signs too until
 * `previous_secret_expires_at` (set together, `ck_webhook_endpoints_previous_secret`).
 * Outbox rows reference it (`fk_outbox_webhook_endpoint`, ON DELETE CASCADE).
 */
export const WEBHOOK_ENDPOINTS_TABLE = 'webhook_endpoints';

/** Every column but the sealed secrets, in the order of {@link WebhookEndpointRow}. */
export const WEBHOOK_ENDPOINT_COLUMNS = `e.id, e.url, e.events, e.format, e.enabled,
  e.previous_secret_expires_at, e.created_at, e.updated_at`;

/** A row as `pg` returns it (without the sealed secrets, which only a delivery reads). */
export interface WebhookEndpointRow {
  id: string;
  url: string;
  events: string[];
  format: WebhookFormat;
  enabled: boolean;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** A registered receiver, never with its secret. */
export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Webhook event types, or `*` for all of them. */
  events: string[];
  format: WebhookFormat;
  enabled: boolean;
  /** While a rotation runs, when the previous secret stops signing; else null. */
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export function toWebhookEndpoint(row: WebhookEndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    format: row.format,
    enabled: row.enabled,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
