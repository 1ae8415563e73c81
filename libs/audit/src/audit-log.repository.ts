import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '@identity/database';
import { computeAuditHash, GENESIS_HASH, toJsonValue, type JsonObject } from './audit-chain';
import { AuditLogEntity } from './audit-log.entity';

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

/** One page of audit rows, newest first. */
export interface AuditLogPage {
  rows: AuditLogEntity[];
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
   * Appends one row to the chain inside `manager`'s transaction, so it commits or rolls back
   * with the change it records. Given a manager outside any transaction, it opens one of its
   * own (the lock and the read of the predecessor must share a transaction).
   *
   * The chain lock is held until that transaction ends: emit audited events late in a
   * transaction, since every other appender waits meanwhile.
   * @throws Error if the transaction is not READ COMMITTED (its snapshot could predate the
   *   lock and fork the chain), or whatever Postgres raises (e.g. a `userId` that is no UUID).
   */
  async append(manager: EntityManager, input: AuditAppendInput): Promise<AuditLogEntity> {
    if (!manager.queryRunner?.isTransactionActive) {
      return manager.transaction((tx) => this.appendLocked(tx, input));
    }
    return this.appendLocked(manager, input);
  }

  private async appendLocked(
    manager: EntityManager,
    input: AuditAppendInput,
  ): Promise<AuditLogEntity> {
    const [state] = await manager.query<{ isolation: string }[]>(
      `SELECT current_setting('transaction_isolation') AS isolation, pg_advisory_xact_lock($1)`,
      [AUDIT_CHAIN_LOCK],
    );
    if (state?.isolation !== 'read committed') {
      throw new Error(
        `audit append needs a READ COMMITTED transaction, got ${state?.isolation ?? 'none'}`,
      );
    }
    // Under the lock and in READ COMMITTED, this statement's fresh snapshot sees every
    // committed predecessor (and this transaction's own earlier rows).
    const newest = await manager
      .createQueryBuilder(AuditLogEntity, 'a')
      .select('a.hash', 'hash')
      .orderBy('a.id', 'DESC')
      .limit(1)
      .getRawOne<{ hash: string }>();

    const row = new AuditLogEntity();
    row.type = input.type;
    // Postgres prints UUIDs in lower case; hash what it will give back.
    row.userId = input.userId?.toLowerCase() ?? null;
    row.sessionId = input.sessionId?.toLowerCase() ?? null;
    row.ipHash = input.ipHash ?? null;
    row.metadata = toJsonObject(input.metadata);
    row.createdAt = new Date(input.createdAt.getTime());
    row.prevHash = newest?.hash ?? GENESIS_HASH;
    row.hash = computeAuditHash(row);

    // Plain SQL: TypeORM's deep-partial insert type cannot follow the recursive JSON type.
    const [inserted] = await manager.query<{ id: string }[]>(
      `INSERT INTO audit_log (type, user_id, session_id, ip_hash, metadata, created_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
       RETURNING id`,
      [
        row.type,
        row.userId,
        row.sessionId,
        row.ipHash,
        JSON.stringify(row.metadata),
        row.createdAt,
        row.prevHash,
        row.hash,
      ],
    );
    if (!inserted) throw new Error('audit_log insert returned no row');
    row.id = String(inserted.id);
    return row;
  }

  /**
   * One page of rows, newest first, optionally of one user and/or one event type.
   * The caller passes filters that can name rows: a UUID `userId`, a positive integer `before`.
   */
  async list(filters: AuditListFilters, manager?: EntityManager): Promise<AuditLogPage> {
    const limit = clampLimit(filters.limit);
    const qb = (manager ?? this.db.manager)
      .createQueryBuilder(AuditLogEntity, 'a')
      .orderBy('a.id', 'DESC')
      // One extra row says whether another page exists without a COUNT.
      .limit(limit + 1);
    if (filters.userId !== undefined)
      qb.andWhere('a.user_id = :userId', { userId: filters.userId });
    if (filters.type !== undefined) qb.andWhere('a.type = :type', { type: filters.type });
    if (filters.before !== undefined) qb.andWhere('a.id < :before', { before: filters.before });
    const rows = await qb.getMany();
    const more = rows.length > limit;
    if (more) rows.pop();
    return { rows, nextBefore: more ? (rows.at(-1)?.id ?? null) : null };
  }

  /**
   * Recomputes every row's hash in id order, in pages, and checks each row names its
   * predecessor's hash. Reports the first row that does not fit: a forged, rewritten or
   * inserted row, or the first row after a removed one.
   */
  async verifyChain(manager?: EntityManager): Promise<ChainVerification> {
    const m = manager ?? this.db.manager;
    let prevHash = GENESIS_HASH;
    let after = '0';
    let count = 0;
    for (;;) {
      const page = await m
        .createQueryBuilder(AuditLogEntity, 'a')
        .where('a.id > :after', { after })
        .orderBy('a.id', 'ASC')
        .limit(VERIFY_PAGE_SIZE)
        .getMany();
      for (const row of page) {
        // Through toJsonValue in case a row was written around this repository (not an object).
        const hash = computeAuditHash({ ...row, metadata: toJsonValue(row.metadata) });
        if (row.prevHash !== prevHash || row.hash !== hash)
          return { ok: false, brokenAtId: row.id };
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
