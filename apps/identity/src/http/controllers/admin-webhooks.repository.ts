import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '@identity/database';

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
 * Storage of webhook receivers (`webhook_endpoints`); secrets only sealed (`secret_enc`).
 * TODO(webhook delivery issue): move to `libs/delivery` with the delivery worker that reads
 * these rows; it lives beside the admin API until that context takes it.
 */
@Injectable()
export class WebhookEndpointRepository {
  constructor(private readonly db: Database) {}

  async insert(
    row: { id: string; url: string; events: readonly string[]; secretEnc: string; kekId: string },
    manager: EntityManager,
  ): Promise<WebhookEndpointRow> {
    const [inserted] = await manager.query<EndpointQueryRow[]>(
      `INSERT INTO webhook_endpoints (id, url, events, secret_enc, kek_id)
       VALUES ($1, $2, $3::text[], $4, $5)
       RETURNING id, url, events, created_at`,
      [row.id, row.url, row.events, row.secretEnc, row.kekId],
    );
    if (!inserted) throw new Error('insert into webhook_endpoints returned no row');
    return toRow(inserted);
  }

  /** Every receiver, newest first. */
  async list(): Promise<WebhookEndpointRow[]> {
    const rows = await this.db.manager.query<EndpointQueryRow[]>(
      `SELECT id, url, events, created_at FROM webhook_endpoints ORDER BY created_at DESC, id`,
    );
    return rows.map(toRow);
  }

  /** Deletes one receiver; false when there was none with this id (pass a UUID). */
  async delete(id: string, manager: EntityManager): Promise<boolean> {
    const rows = await manager.query<{ n: number }[]>(
      `WITH gone AS (DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id)
       SELECT count(*)::int AS n FROM gone`,
      [id],
    );
    return (rows[0]?.n ?? 0) > 0;
  }
}

function toRow(row: EndpointQueryRow): WebhookEndpointRow {
  return { id: row.id, url: row.url, events: row.events, createdAt: row.created_at };
}
