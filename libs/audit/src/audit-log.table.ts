import type { JsonObject } from './audit-chain';

/**
 * The append-only, hash-chained `audit_log` (migrations/1764000000000-initial-schema.ts: a
 * trigger refuses UPDATE, DELETE and TRUNCATE; `id` a bigint identity), for its repository
 * only. Rows are only ever written by `AuditLogRepository.append`, which computes
 * `prev_hash`/`hash`.
 */
export interface AuditLogEntry {
  /** bigint identity; the pg driver hands bigints back as strings (no 2^53 overflow). */
  id: string;
  type: string;
  userId: string | null;
  sessionId: string | null;
  ipHash: string | null;
  metadata: JsonObject;
  /**
   * Set by the application, never by the column default, so the hash covers exactly the
   * stored value (a JS Date has millisecond precision and round-trips through timestamptz).
   */
  createdAt: Date;
  prevHash: string;
  hash: string;
}

/** Every column, in the order of {@link AuditLogRow}. */
export const AUDIT_LOG_COLUMNS = `id, type, user_id, session_id, ip_hash, metadata, created_at,
  prev_hash, hash`;

export interface AuditLogRow {
  id: string;
  type: string;
  user_id: string | null;
  session_id: string | null;
  ip_hash: string | null;
  metadata: JsonObject;
  created_at: Date;
  prev_hash: string;
  hash: string;
}

export function toAuditLogEntry(row: AuditLogRow): AuditLogEntry {
  return {
    id: String(row.id),
    type: row.type,
    userId: row.user_id,
    sessionId: row.session_id,
    ipHash: row.ip_hash,
    metadata: row.metadata,
    createdAt: row.created_at,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
