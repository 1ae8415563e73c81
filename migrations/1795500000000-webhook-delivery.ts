import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook delivery (issue 14): receivers become manageable and their deliveries durable,
 * ordered and inspectable.
 *
 * `webhook_endpoints`:
 * - `format` (`standard` | `ocsf`, `ck_webhook_endpoints_format`) and `enabled`: set at
 *   registration and by `PATCH /admin/webhooks/:id`.
 * - `previous_secret_enc` + `previous_secret_expires_at` (set together,
 *   `ck_webhook_endpoints_previous_secret`): after a rotation the old secret keeps signing
 *   beside the new one for 24 h, so receivers can switch without losing a message.
 *
 * `outbox` (one row per delivery, `kind = 'webhook'`):
 * - `endpoint_id` (`fk_outbox_webhook_endpoint`, ON DELETE CASCADE: deleting a receiver drops
 *   its pending deliveries in the same statement), `delivery_id` (the `webhook-id`, stable
 *   across retries, `uq_outbox_delivery_id`), `event_type`, `last_status_code`. A webhook row
 *   has all three of endpoint, delivery id and type, and no other row has any
 *   (`ck_outbox_webhook_delivery`). No code wrote webhook rows before this migration, so any
 *   found are dropped.
 * - `order_key`: the user the event is about. A delivery is not claimed while an earlier one
 *   (lower id) to the same receiver for the same user is still pending or failed, so each
 *   receiver sees each user's events in order; `ix_outbox_webhook_order` answers that
 *   "is there an earlier pending one?" probe from the index alone, and holds pending rows only.
 * - `leased_until`: a claim leases a row instead of pushing `next_attempt_at` (which now only
 *   ever means "the schedule"), so a manual retry of a row in flight cannot make a second
 *   instance send it at the same time.
 * - `ix_outbox_endpoint_deliveries` serves `GET /admin/webhooks/:id/deliveries` (newest first,
 *   keyset by id) and the cascade from `webhook_endpoints`.
 */
export class WebhookDelivery1795500000000 implements MigrationInterface {
  name = 'WebhookDelivery1795500000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE webhook_endpoints
        ADD COLUMN format text NOT NULL DEFAULT 'standard',
        ADD COLUMN enabled boolean NOT NULL DEFAULT true,
        ADD COLUMN previous_secret_enc text,
        ADD COLUMN previous_secret_expires_at timestamptz,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
        ADD CONSTRAINT ck_webhook_endpoints_format CHECK (format IN ('standard', 'ocsf')),
        ADD CONSTRAINT ck_webhook_endpoints_previous_secret CHECK (
          (previous_secret_enc IS NULL) = (previous_secret_expires_at IS NULL)
        )`);

    await q.query(`DELETE FROM outbox WHERE kind = 'webhook'`);
    await q.query(`
      ALTER TABLE outbox
        ADD COLUMN leased_until timestamptz,
        ADD COLUMN endpoint_id uuid,
        ADD COLUMN delivery_id uuid,
        ADD COLUMN event_type text,
        ADD COLUMN order_key uuid,
        ADD COLUMN last_status_code integer,
        ADD CONSTRAINT fk_outbox_webhook_endpoint FOREIGN KEY (endpoint_id)
          REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        ADD CONSTRAINT uq_outbox_delivery_id UNIQUE (delivery_id),
        ADD CONSTRAINT ck_outbox_webhook_delivery CHECK (
          (kind = 'webhook') = (endpoint_id IS NOT NULL)
          AND (endpoint_id IS NULL) = (delivery_id IS NULL)
          AND (endpoint_id IS NULL) = (event_type IS NULL)
          AND (order_key IS NULL OR endpoint_id IS NOT NULL)
        )`);
    await q.query(`
      CREATE INDEX ix_outbox_endpoint_deliveries ON outbox (endpoint_id, id)
        WHERE endpoint_id IS NOT NULL`);
    await q.query(`
      CREATE INDEX ix_outbox_webhook_order ON outbox (endpoint_id, order_key, id)
        WHERE order_key IS NOT NULL AND delivered_at IS NULL AND dead_at IS NULL`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_outbox_webhook_order`);
    await q.query(`DROP INDEX ix_outbox_endpoint_deliveries`);
    // Without their receiver columns, webhook rows could never be sent again.
    await q.query(`DELETE FROM outbox WHERE kind = 'webhook'`);
    await q.query(`
      ALTER TABLE outbox
        DROP CONSTRAINT ck_outbox_webhook_delivery,
        DROP CONSTRAINT uq_outbox_delivery_id,
        DROP CONSTRAINT fk_outbox_webhook_endpoint,
        DROP COLUMN last_status_code,
        DROP COLUMN order_key,
        DROP COLUMN event_type,
        DROP COLUMN delivery_id,
        DROP COLUMN endpoint_id,
        DROP COLUMN leased_until`);
    await q.query(`
      ALTER TABLE webhook_endpoints
        DROP CONSTRAINT ck_webhook_endpoints_previous_secret,
        DROP CONSTRAINT ck_webhook_endpoints_format,
        DROP COLUMN updated_at,
        DROP COLUMN previous_secret_expires_at,
        DROP COLUMN previous_secret_enc,
        DROP COLUMN enabled,
        DROP COLUMN format`);
  }
}
