import type { ClaimedMessage, OutboxKind, OutboxMessage, OutboxPayload } from './outbox-message';

/**
 * The `outbox` table (migrations/1764000000000-initial-schema.ts, extended by
 * 1795500000000-webhook-delivery.ts), for the delivery context's repositories only:
 * `OutboxRepository` (the queue's mechanics: enqueue, claim, outcome, purge) and
 * `WebhookDeliveryRepository` (fan-out, listing and retry of webhook deliveries).
 *
 * - `id` bigint identity (`pk_outbox`): insertion order; `kind` is `email` or `webhook`
 *   (`ck_outbox_kind`).
 * - Pending = `delivered_at IS NULL AND dead_at IS NULL` (`ix_outbox_pending` on
 *   `next_attempt_at`, pending rows only). `leased_until` keeps a claimed row away from other
 *   instances while one sends it.
 * - Webhook rows have `endpoint_id` (`fk_outbox_webhook_endpoint`, cascading),
 *   `delivery_id` (the `webhook-id`, `uq_outbox_delivery_id`) and `event_type`, and only they
 *   do (`ck_outbox_webhook_delivery`); `order_key` (the user) orders them per receiver
 *   (`ix_outbox_webhook_order`); `ix_outbox_endpoint_deliveries` lists them per receiver.
 *
 * Times are written from the app's `Clock` (passed as parameters), never from `now()`.
 */
export const OUTBOX_TABLE = 'outbox';

/** Every column, in the order of {@link OutboxRow}; `o` is the table's alias. */
export const OUTBOX_COLUMNS = `o.id::text AS id, o.kind, o.payload, o.attempts, o.next_attempt_at,
  o.leased_until, o.last_error, o.last_status_code, o.created_at, o.delivered_at, o.dead_at,
  o.endpoint_id, o.delivery_id, o.event_type, o.order_key`;

/** A row as `pg` returns it. */
export interface OutboxRow {
  id: string;
  kind: OutboxKind;
  payload: OutboxPayload;
  attempts: number;
  next_attempt_at: Date;
  leased_until: Date | null;
  last_error: string | null;
  last_status_code: number | null;
  created_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
  endpoint_id: string | null;
  delivery_id: string | null;
  event_type: string | null;
  order_key: string | null;
}

export function toOutboxMessage(row: OutboxRow): OutboxMessage {
  return {
    id: String(row.id),
    kind: row.kind,
    payload: row.payload,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    leasedUntil: row.leased_until,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    deadAt: row.dead_at,
    webhook:
      row.endpoint_id !== null && row.delivery_id !== null && row.event_type !== null
        ? {
            endpointId: row.endpoint_id,
            deliveryId: row.delivery_id,
            eventType: row.event_type,
            orderKey: row.order_key,
          }
        : null,
  };
}

/** {@link OutboxRow} with the receiver's settings a claim reads along (null for mail). */
export interface ClaimedRow extends OutboxRow {
  receiver_url: string | null;
  receiver_secret_enc: string | null;
  receiver_previous_secret_enc: string | null;
  receiver_previous_secret_expires_at: Date | null;
}

export function toClaimedMessage(row: ClaimedRow): ClaimedMessage {
  return {
    ...toOutboxMessage(row),
    receiver:
      row.receiver_url !== null && row.receiver_secret_enc !== null
        ? {
            url: row.receiver_url,
            secretEnc: row.receiver_secret_enc,
            previousSecretEnc: row.receiver_previous_secret_enc,
            previousSecretExpiresAt: row.receiver_previous_secret_expires_at,
          }
        : null,
  };
}

/** Where a webhook delivery stands (API.md: `failed` will be retried, `dead` will not). */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'dead'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The SQL condition on `o` for each status, the one definition `toWebhookDelivery` mirrors. */
export const WEBHOOK_DELIVERY_STATUS_SQL: Record<WebhookDeliveryStatus, string> = {
  delivered: 'o.delivered_at IS NOT NULL',
  dead: 'o.delivered_at IS NULL AND o.dead_at IS NOT NULL',
  failed: 'o.delivered_at IS NULL AND o.dead_at IS NULL AND o.attempts > 0',
  pending: 'o.delivered_at IS NULL AND o.dead_at IS NULL AND o.attempts = 0',
};

/** The columns of a webhook delivery as operators see it. */
export const WEBHOOK_DELIVERY_COLUMNS = `o.delivery_id, o.event_type, o.attempts,
  o.last_status_code, o.last_error, o.next_attempt_at, o.created_at, o.delivered_at, o.dead_at`;

export interface WebhookDeliveryRow {
  delivery_id: string;
  event_type: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  created_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
}

/** One delivery to one receiver; `id` is its `webhook-id`. */
export interface WebhookDelivery {
  id: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  /** When it is tried next; null once delivered or dead. */
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export function webhookDeliveryStatus(row: {
  delivered_at: Date | null;
  dead_at: Date | null;
  attempts: number;
}): WebhookDeliveryStatus {
  if (row.delivered_at !== null) return 'delivered';
  if (row.dead_at !== null) return 'dead';
  return row.attempts > 0 ? 'failed' : 'pending';
}

export function toWebhookDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  const status = webhookDeliveryStatus(row);
  return {
    id: row.delivery_id,
    eventType: row.event_type,
    status,
    attempts: row.attempts,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    nextAttemptAt: status === 'pending' || status === 'failed' ? row.next_attempt_at : null,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  };
}
