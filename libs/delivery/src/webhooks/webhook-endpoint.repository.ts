import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';

/** A registered receiver, without its secret. */
export interface WebhookEndpointRow {
  id: string;
  url: string;
  events: string[];
  createdAt: Date;
}

interface EndpointQueryRow {
  id: string;
  url: string;
  events: string[];
  created_at: Date;
}

/**
 * Storage of webhook receivers (`webhook_endpoints`, migrations/1764000000000-initial-schema.ts:
 * `id`, `url`, `events` text[], `secret_enc` sealed under the KEK with the row id as aad,
 * `kek_id`, `created_at`); secrets are never stored in the clear.
 */
@Injectable()
export class WebhookEndpointRepository {
  constructor(private readonly db: Database) {}

  async insert(
    row: { id: string; url: string; events: readonly string[]; secretEnc: string; kekId: string },
    tx: Tx,
  ): Promise<WebhookEndpointRow> {
    const inserted = await this.db.one<EndpointQueryRow>(
      `INSERT INTO webhook_endpoints (id, url, events, secret_enc, kek_id)
       VALUES ($1, $2, $3::text[], $4, $5)
       RETURNING id, url, events, created_at`,
      [row.id, row.url, row.events, row.secretEnc, row.kekId],
      tx,
    );
    if (!inserted) throw new Error('insert into webhook_endpoints returned no row');
    return toRow(inserted);
  }

  /** Every receiver, newest first. */
  async list(): Promise<WebhookEndpointRow[]> {
    const rows = await this.db.query<EndpointQueryRow>(
      `SELECT id, url, events, created_at FROM webhook_endpoints ORDER BY created_at DESC, id`,
    );
    return rows.map(toRow);
  }

  /** Deletes one receiver; false when there was none with this id. */
  async delete(id: string, tx: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `DELETE FROM webhook_endpoints WHERE id = $1`,
      [id],
      tx,
    );
    return affected > 0;
  }
}

function toRow(row: EndpointQueryRow): WebhookEndpointRow {
  return { id: row.id, url: row.url, events: row.events, createdAt: row.created_at };
}
