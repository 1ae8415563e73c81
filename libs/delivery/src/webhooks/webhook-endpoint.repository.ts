import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import {
  toWebhookEndpoint,
  WEBHOOK_ENDPOINT_COLUMNS,
  type WebhookEndpoint,
  type WebhookEndpointRow,
} from './webhook-endpoints.table';
import type { WebhookFormat } from './webhook-payload';

/** The fields `PATCH /admin/webhooks/:id` may change. */
export interface WebhookEndpointChanges {
  url?: string;
  events?: readonly string[];
  format?: WebhookFormat;
  enabled?: boolean;
}

/** Storage of webhook receivers; secrets are never stored in the clear (see the table module). */
@Injectable()
export class WebhookEndpointRepository {
  constructor(private readonly db: Database) {}

  async insert(
    row: {
      id: string;
      url: string;
      events: readonly string[];
      format: WebhookFormat;
      secretEnc: string;
      kekId: string;
      now: Date;
    },
    tx: Tx,
  ): Promise<WebhookEndpoint> {
    const inserted = await this.db.one<WebhookEndpointRow>(
      `INSERT INTO webhook_endpoints AS e
              (id, url, events, format, secret_enc, kek_id, created_at, updated_at)
       VALUES ($1, $2, $3::text[], $4, $5, $6, $7, $7)
       RETURNING ${WEBHOOK_ENDPOINT_COLUMNS}`,
      [row.id, row.url, row.events, row.format, row.secretEnc, row.kekId, row.now],
      tx,
    );
    if (!inserted) throw new Error('insert into webhook_endpoints returned no row');
    return toWebhookEndpoint(inserted);
  }

  /** Every receiver, newest first. Inside `tx` when given (the fan-out reads it there). */
  async list(tx?: Tx): Promise<WebhookEndpoint[]> {
    const rows = await this.db.query<WebhookEndpointRow>(
      `SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints e
        ORDER BY e.created_at DESC, e.id`,
      [],
      tx,
    );
    return rows.map(toWebhookEndpoint);
  }

  async findById(id: string, tx?: Tx): Promise<WebhookEndpoint | null> {
    const row = await this.db.one<WebhookEndpointRow>(
      `SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1`,
      [id],
      tx,
    );
    return row && toWebhookEndpoint(row);
  }

  /**
   * The receiver, locked `FOR UPDATE` until `tx` ends, or null. That lock conflicts with the
   * `FOR KEY SHARE` every fan-out takes on the receivers it writes deliveries for, so a change
   * waits for the events already being written and the events after it see the change: no
   * delivery is queued under the settings that were just replaced.
   */
  async lockForChange(id: string, tx: Tx): Promise<WebhookEndpoint | null> {
    const row = await this.db.one<WebhookEndpointRow>(
      `SELECT ${WEBHOOK_ENDPOINT_COLUMNS} FROM webhook_endpoints e WHERE e.id = $1 FOR UPDATE`,
      [id],
      tx,
    );
    return row && toWebhookEndpoint(row);
  }

  /** Applies `changes` (the absent fields stay) and returns the receiver as it now is. */
  async update(
    id: string,
    changes: WebhookEndpointChanges & { now: Date },
    tx: Tx,
  ): Promise<WebhookEndpoint | null> {
    const row = await this.db.one<WebhookEndpointRow>(
      `UPDATE webhook_endpoints e
          SET url = COALESCE($2, e.url),
              events = COALESCE($3::text[], e.events),
              format = COALESCE($4, e.format),
              enabled = COALESCE($5, e.enabled),
              updated_at = $6
        WHERE e.id = $1
       RETURNING ${WEBHOOK_ENDPOINT_COLUMNS}`,
      [
        id,
        changes.url ?? null,
        changes.events ?? null,
        changes.format ?? null,
        changes.enabled ?? null,
        changes.now,
      ],
      tx,
    );
    return row && toWebhookEndpoint(row);
  }

  /**
   * Makes `secretEnc` the secret and the current one the previous, signing until
   * `previousValidUntil` (a previous secret still in its window is dropped: two sign at most).
   */
  async rotateSecret(
    id: string,
    rotation: { secretEnc: string; kekId: string; previousValidUntil: Date; now: Date },
    tx: Tx,
  ): Promise<boolean> {
    const { affected } = await this.db.execute(
      `UPDATE webhook_endpoints
          SET previous_secret_enc = secret_enc, previous_secret_expires_at = $4,
              secret_enc = $2, kek_id = $3, updated_at = $5
        WHERE id = $1`,
      [id, rotation.secretEnc, rotation.kekId, rotation.previousValidUntil, rotation.now],
      tx,
    );
    return affected > 0;
  }

  /** Deletes one receiver (its deliveries cascade); false when there was none with this id. */
  async delete(id: string, tx: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `DELETE FROM webhook_endpoints WHERE id = $1`,
      [id],
      tx,
    );
    return affected > 0;
  }
}
