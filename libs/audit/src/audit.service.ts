import { Injectable } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import type { JsonObject } from './audit-chain';
import type { AuditLogEntry } from './audit-log.table';

/** Filters of the admin listing (`GET /admin/audit`), as the transport received them. */
export interface AuditListQuery {
  userId?: string;
  /** One of the event types (API.md, Webhooks). */
  type?: string;
  /** `next_before` of the previous page. */
  before?: string;
  /** Clamped to 1..200; 50 by default. */
  limit?: number;
}

/** One audit entry on the wire (API.md, `GET /admin/audit`). */
export interface AuditItem {
  id: string;
  type: string;
  user_id: string | null;
  /** ISO 8601. */
  created_at: string;
  metadata: JsonObject;
}

/** A page of the admin listing, newest first. */
export interface AuditPage {
  items: AuditItem[];
  next_before: string | null;
}

/** Reading the audit trail, for the admin API. Writing is the subscriber's job only. */
@Injectable()
export class AuditService {
  constructor(private readonly auditLog: AuditLogRepository) {}

  /**
   * One page of the audit trail in the API's shape; hashes and the session/IP columns stay
   * out of it.
   * The transport checks the filters' form (a UUID, an event type, a row id).
   */
  async list(query: AuditListQuery): Promise<AuditPage> {
    const page = await this.auditLog.list(query);
    return { items: page.rows.map(toAuditItem), next_before: page.nextBefore };
  }
}

function toAuditItem(row: AuditLogEntry): AuditItem {
  return {
    id: row.id,
    type: row.type,
    user_id: row.userId,
    created_at: row.createdAt.toISOString(),
    metadata: row.metadata,
  };
}
