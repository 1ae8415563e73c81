import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import {
  toWebhookDelivery,
  WEBHOOK_DELIVERY_COLUMNS,
  WEBHOOK_DELIVERY_STATUS_SQL,
  type WebhookDelivery,
  type WebhookDeliveryRow,
  type WebhookDeliveryStatus,
} from '../outbox.table';

/**
 * One delivery per enabled receiver subscribed to the event type (or to `*`), each with the
 * body of its format (a format that does not carry the type has a null body: no row), in one
 * statement. `FOR KEY SHARE` on the receivers read makes a concurrent change of one of them
 * (which locks it `FOR UPDATE`, see `WebhookEndpointRepository.lockForChange`) wait for this
 * transaction, or this statement wait for that change and re-read the receiver after it: a
 * receiver disabled or deleted in between never gets a row.
 */
const FAN_OUT_SQL = `
  INSERT INTO outbox (kind, payload, endpoint_id, delivery_id, event_type, order_key,
                      next_attempt_at, created_at)
  SELECT 'webhook', jsonb_build_object('body', b.body), e.id, gen_random_uuid(), $1, $2, $5, $5
    FROM webhook_endpoints e
   CROSS JOIN LATERAL (SELECT CASE e.format WHEN 'ocsf' THEN $4 ELSE $3 END AS body) b
   WHERE e.enabled AND e.events && ARRAY[$1, '*']::text[] AND b.body IS NOT NULL
   ORDER BY e.id
     FOR KEY SHARE OF e`;

/**
 * Makes a delivery due now: a dead one comes back to life (one more attempt; if it fails
 * again it is dead again), a failed one does not wait for its schedule. Later deliveries to
 * the same receiver for the same user are pulled forward too, so they follow it at once
 * instead of waiting for the schedule they had while blocked behind it. A delivered one is
 * left alone. Answers whether the delivery exists and whether it was made due.
 */
const RETRY_SQL = `
  WITH target AS (
    SELECT id, endpoint_id, order_key, delivered_at
      FROM outbox
     WHERE endpoint_id = $1 AND delivery_id = $2
       FOR UPDATE
  ), revived AS (
    UPDATE outbox o
       SET dead_at = NULL, next_attempt_at = $3
      FROM target
     WHERE o.id = target.id AND target.delivered_at IS NULL
    RETURNING o.id
  ), followers AS (
    UPDATE outbox f
       SET next_attempt_at = LEAST(f.next_attempt_at, $3)
      FROM target
     WHERE target.delivered_at IS NULL AND target.order_key IS NOT NULL
       AND f.endpoint_id = target.endpoint_id AND f.order_key = target.order_key
       AND f.id > target.id AND f.delivered_at IS NULL AND f.dead_at IS NULL
  )
  SELECT (SELECT count(*) FROM target)::int AS found, (SELECT count(*) FROM revived)::int AS due`;

/** The bodies of one event, one per format (null: that format does not carry the event). */
export interface FanOutBodies {
  standard: string;
  ocsf: string | null;
}

/**
 * Webhook deliveries: the `outbox` rows of kind `webhook` (see `outbox.table.ts`), from the
 * receivers' side: written at fan-out, listed, retried, dropped.
 */
@Injectable()
export class WebhookDeliveryRepository {
  constructor(private readonly db: Database) {}

  /** Writes the deliveries of one event in `tx` (see {@link FAN_OUT_SQL}); returns how many. */
  async fanOut(
    event: { type: string; orderKey: string | null; bodies: FanOutBodies; now: Date },
    tx: Tx,
  ): Promise<number> {
    const { affected } = await this.db.execute(
      FAN_OUT_SQL,
      [event.type, event.orderKey, event.bodies.standard, event.bodies.ocsf, event.now],
      tx,
    );
    return affected;
  }

  /**
   * Writes one delivery to one receiver, whatever it subscribed to (the test event). Null
   * when the receiver does not exist or is disabled. Locks like {@link FAN_OUT_SQL}.
   */
  async insertFor(
    delivery: { endpointId: string; type: string; bodies: FanOutBodies; now: Date },
    tx: Tx,
  ): Promise<string | null> {
    const row = await this.db.one<{ delivery_id: string }>(
      `INSERT INTO outbox (kind, payload, endpoint_id, delivery_id, event_type,
                           next_attempt_at, created_at)
       SELECT 'webhook', jsonb_build_object('body', b.body), e.id, gen_random_uuid(), $2, $5, $5
         FROM webhook_endpoints e
        CROSS JOIN LATERAL (SELECT CASE e.format WHEN 'ocsf' THEN $4 ELSE $3 END AS body) b
        WHERE e.id = $1 AND e.enabled AND b.body IS NOT NULL
          FOR KEY SHARE OF e
       RETURNING delivery_id`,
      [
        delivery.endpointId,
        delivery.type,
        delivery.bodies.standard,
        delivery.bodies.ocsf,
        delivery.now,
      ],
      tx,
    );
    return row?.delivery_id ?? null;
  }

  /**
   * Gives up on every pending delivery to a receiver (it was disabled), rows in flight
   * included: whatever their attempt's outcome, nothing retries them. Returns how many.
   */
  async abandonPending(
    endpointId: string,
    reason: { error: string; now: Date },
    tx: Tx,
  ): Promise<number> {
    const { affected } = await this.db.execute(
      `UPDATE outbox SET dead_at = $2, last_error = $3, leased_until = NULL
        WHERE endpoint_id = $1 AND delivered_at IS NULL AND dead_at IS NULL`,
      [endpointId, reason.now, reason.error],
      tx,
    );
    return affected;
  }

  /**
   * A receiver's deliveries, newest first, optionally of one status; `before` is a delivery
   * id (the previous page's `next_before`): only deliveries written before it are listed.
   */
  async list(
    endpointId: string,
    query: { status?: WebhookDeliveryStatus; before?: string; limit: number },
  ): Promise<WebhookDelivery[]> {
    const conditions = ['o.endpoint_id = $1'];
    const params: unknown[] = [endpointId, query.limit];
    if (query.status) conditions.push(WEBHOOK_DELIVERY_STATUS_SQL[query.status]);
    if (query.before) {
      params.push(query.before);
      conditions.push(
        `o.id < (SELECT b.id FROM outbox b WHERE b.endpoint_id = $1 AND b.delivery_id = $3)`,
      );
    }
    const rows = await this.db.query<WebhookDeliveryRow>(
      `SELECT ${WEBHOOK_DELIVERY_COLUMNS} FROM outbox o
        WHERE ${conditions.join(' AND ')}
        ORDER BY o.id DESC
        LIMIT $2`,
      params,
    );
    return rows.map(toWebhookDelivery);
  }

  /** See {@link RETRY_SQL}. */
  async makeDue(
    endpointId: string,
    deliveryId: string,
    now: Date,
  ): Promise<'due' | 'delivered' | 'not_found'> {
    const row = await this.db.one<{ found: number; due: number }>(RETRY_SQL, [
      endpointId,
      deliveryId,
      now,
    ]);
    if (!row || row.found === 0) return 'not_found';
    return row.due > 0 ? 'due' : 'delivered';
  }

  /** When the oldest webhook delivery still pending (or failed) was written; null if none. */
  async oldestPendingCreatedAt(): Promise<Date | null> {
    const row = await this.db.one<{ oldest: Date | null }>(
      `SELECT min(created_at) AS oldest FROM outbox
        WHERE kind = 'webhook' AND delivered_at IS NULL AND dead_at IS NULL`,
    );
    return row?.oldest ?? null;
  }
}
