import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import { computeAuditHash, GENESIS_HASH, toJsonValue, type JsonObject } from './audit-chain';
import {
  AUDIT_LOG_COLUMNS,
  type AuditLogEntry,
  type AuditLogRow,
  toAuditLogEntry,
} from './audit-log.table';

/**
 * Arbitrary constant (distinct from the migration lock): the transaction-scoped advisory lock
 * that serialises appenders, so two transactions never chain onto the same predecessor.
 */
const AUDIT_CHAIN_LOCK = 7_413_902_552;
const VERIFY_PAGE_SIZE = 1000;
const DEFAULT_LIST_LIMIT = 50;
const MAX_LIST_LIMIT = 200;

/** What one audit row records; `prevHash`/`hash` are the repository's business. */
export interface AuditAppendInput {
  type: string;
  userId?: string;
  sessionId?: string;
  ipHash?: string;
  /** Plain JSON only: it is hashed as `jsonb` will give it back. */
  metadata: Record<string, unknown>;
  /** When the event happened; stored as given (millisecond precision) and covered by the hash. */
  createdAt: Date;
}

/** Filters of {@link AuditLogRepository.list}. */
export interface AuditListFilters {
  userId?: string;
  type?: string;
  /** Keyset cursor: only rows with a smaller id (the previous page's `nextBefore`). */
  before?: string;
  /** Clamped to 1..200; 50 when absent or not a number. */
  limit?: number;
}

/** Filters of {@link AuditLogRepository.listOfUser}. */
export interface UserAuditFilters {
  userId: string;
  /** Only rows of these event types. */
  types: readonly string[];
  /** Keyset cursor: only rows with a smaller id (the previous page's `nextBefore`). */
  before?: string;
  /** Clamped to 1..200. */
  limit: number;
}

/** One page of audit rows, newest first. */
export interface AuditLogPage {
  rows: AuditLogEntry[];
  /** Cursor for the next page, or null when this page is the last. */
  nextBefore: string | null;
}

/** Outcome of {@link AuditLogRepository.verifyChain}. */
export type ChainVerification = { ok: true; count: number } | { ok: false; brokenAtId: string };

/** The append-only, hash-chained `audit_log`. */
@Injectable()
export class AuditLogRepository {
  constructor(private readonly db: Database) {}

  /**
   * Appends one row to the chain inside `tx`, so it commits or rolls back with the change it
   * records; without `tx`, in a transaction of its own (the lock and the read of the
   * predecessor must share a transaction).
   *
   * The chain lock is held until that transaction ends: emit audited events late in a
   * transaction, since every other appender waits meanwhile.
   * @throws Error if the transaction is not READ COMMITTED (its snapshot could predate the
   *   lock and fork the chain), or whatever Postgres raises (e.g. a `userId` that is no UUID).
   */
  async append(input: AuditAppendInput, tx?: Tx): Promise<AuditLogEntry> {
    if (!tx) return this.db.withTransaction((own) => this.appendLocked(input, own));
    return this.appendLocked(input, tx);
  }

  private async appendLocked(input: AuditAppendInput, tx: Tx): Promise<AuditLogEntry> {
    const state = await this.db.one<{ isolation: string }>(
      `SELECT current_setting('transaction_isolation') AS isolation, pg_advisory_xact_lock($1)`,
      [AUDIT_CHAIN_LOCK],
      tx,
    );
    if (state?.isolation !== 'read committed') {
      throw new Error(
        `audit append needs a READ COMMITTED transaction, got ${state?.isolation ?? 'none'}`,
      );
    }
    // Under the lock and in READ COMMITTED, this statement's fresh snapshot sees every
    // committed predecessor (and this transaction's own earlier rows).
    const newest = await this.db.one<{ hash: string }>(
      `SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1`,
      [],
      tx,
    );
    const fields = {
      type: input.type,
      // Postgres prints UUIDs in lower case; hash what it will give back.
      userId: input.userId?.toLowerCase() ?? null,
      sessionId: input.sessionId?.toLowerCase() ?? null,
      ipHash: input.ipHash ?? null,
      metadata: toJsonObject(input.metadata),
      createdAt: new Date(input.createdAt.getTime()),
      prevHash: newest?.hash ?? GENESIS_HASH,
    };
    const hash = computeAuditHash(fields);
    const inserted = await this.db.one<{ id: string }>(
      `INSERT INTO audit_log (type, user_id, session_id, ip_hash, metadata, created_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
       RETURNING id`,
      [
        fields.type,
        fields.userId,
        fields.sessionId,
        fields.ipHash,
        JSON.stringify(fields.metadata),
        fields.createdAt,
        fields.prevHash,
        hash,
      ],
      tx,
    );
    if (!inserted) throw new Error('audit_log insert returned no row');
    return { id: String(inserted.id), ...fields, hash };
  }

  /**
   * One page of rows, newest first, optionally of one user and/or one event type. The caller
   * passes filters that can name rows: a UUID `userId`, a positive integer `before`.
   */
  async list(filters: AuditListFilters, tx?: Tx): Promise<AuditLogPage> {
    const limit = clampLimit(filters.limit);
    const rows = await this.db.query<AuditLogRow>(
      `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log
        WHERE ($1::uuid IS NULL OR user_id = $1)
          AND ($2::text IS NULL OR type = $2)
          AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC
        LIMIT $4`,
      // One extra row says whether another page exists without a COUNT.
      [filters.userId ?? null, filters.type ?? null, filters.before ?? null, limit + 1],
      tx,
    );
    const entries = rows.map(toAuditLogEntry);
    const more = entries.length > limit;
    if (more) entries.pop();
    return { rows: entries, nextBefore: more ? (entries.at(-1)?.id ?? null) : null };
  }

  /**
   * The id of the newest row; `'0'` for an empty log. Every row with a smaller id is settled
   * (committed or never to be): appenders take ids under the chain lock, one transaction at a
   * time, so ids follow commit order and a visible id has no unsettled predecessor.
   */
  async newestId(tx?: Tx): Promise<string> {
    const row = await this.db.one<{ id: string }>(
      `SELECT id FROM audit_log ORDER BY id DESC LIMIT 1`,
      [],
      tx,
    );
    return row ? String(row.id) : '0';
  }

  /**
   * Rows of `types` with an id in (`after`, `upTo`], oldest first, at most `limit`: the next
   * stretch of the log for a reader that has seen everything up to `after` (pass decimal ids;
   * `upTo` from {@link newestId}, so the stretch has no gaps that could still fill).
   */
  async listRange(
    input: { types: readonly string[]; after: string; upTo: string; limit: number },
    tx?: Tx,
  ): Promise<AuditLogEntry[]> {
    const rows = await this.db.query<AuditLogRow>(
      `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log
        WHERE id > $1 AND id <= $2 AND type = ANY($3::text[])
        ORDER BY id
        LIMIT $4`,
      [input.after, input.upTo, [...input.types], input.limit],
      tx,
    );
    return rows.map(toAuditLogEntry);
  }

  /**
   * Rows of one `type` with an id in (`after`, `below`), newest first, at most `limit`: walks
   * one type backwards through `ix_audit_log_type`, for a reader that wants only the recent
   * past and stops when the rows get too old.
   */
  async listNewestOfType(
    input: { type: string; after: string; below: string; limit: number },
    tx?: Tx,
  ): Promise<AuditLogEntry[]> {
    const rows = await this.db.query<AuditLogRow>(
      `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log
        WHERE type = $1 AND id > $2 AND id < $3
        ORDER BY id DESC
        LIMIT $4`,
      [input.type, input.after, input.below, input.limit],
      tx,
    );
    return rows.map(toAuditLogEntry);
  }

  /**
   * One page of one user's rows of the given types, newest first (the index on
   * `(user_id, id DESC)` serves it). The caller passes a UUID `userId` and a positive integer
   * `before`.
   */
  async listOfUser(filters: UserAuditFilters, tx?: Tx): Promise<AuditLogPage> {
    const limit = clampLimit(filters.limit);
    const rows = await this.db.query<AuditLogRow>(
      `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log
        WHERE user_id = $1 AND type = ANY($2::text[])
          AND ($3::bigint IS NULL OR id < $3)
        ORDER BY id DESC
        LIMIT $4`,
      [filters.userId, filters.types, filters.before ?? null, limit + 1],
      tx,
    );
    const entries = rows.map(toAuditLogEntry);
    const more = entries.length > limit;
    if (more) entries.pop();
    return { rows: entries, nextBefore: more ? (entries.at(-1)?.id ?? null) : null };
  }

  /**
   * Recomputes every row's hash in id order, in pages, and checks each row names its
   * predecessor's hash. Reports the first row that does not fit: a forged, rewritten or
   * inserted row, or the first row after a removed one.
   */
  async verifyChain(tx?: Tx): Promise<ChainVerification> {
    let prevHash = GENESIS_HASH;
    let after = '0';
    let count = 0;
    for (;;) {
      const page = (
        await this.db.query<AuditLogRow>(
          `SELECT ${AUDIT_LOG_COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2`,
          [after, VERIFY_PAGE_SIZE],
          tx,
        )
      ).map(toAuditLogEntry);
      for (const row of page) {
        // Through toJsonValue in case a row was written around this repository (not an object).
        const hash = computeAuditHash({ ...row, metadata: toJsonValue(row.metadata) });
        if (row.prevHash !== prevHash || row.hash !== hash) {
          return { ok: false, brokenAtId: row.id };
        }
        prevHash = row.hash;
        count++;
      }
      const last = page.at(-1);
      if (!last || page.length < VERIFY_PAGE_SIZE) return { ok: true, count };
      after = last.id;
    }
  }
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_LIST_LIMIT;
  return Math.min(MAX_LIST_LIMIT, Math.max(1, Math.trunc(limit)));
}

function toJsonObject(metadata: Record<string, unknown>): JsonObject {
  const value = toJsonValue(metadata);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('audit metadata must be a JSON object');
  }
  return value;
}
