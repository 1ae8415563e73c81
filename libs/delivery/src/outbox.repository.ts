import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import type { ClaimedMessage, OutboxKind, OutboxMessage, OutboxPayload } from './outbox-message';
import {
  type ClaimedRow,
  OUTBOX_COLUMNS,
  type OutboxRow,
  toClaimedMessage,
  toOutboxMessage,
} from './outbox.table';

/** What replaces a payload that must not outlive its delivery (see `markDelivered`). */
export const REDACTED_PAYLOAD: OutboxPayload = { redacted: true };

/**
 * Claims due rows and leases them, in one statement (so one short transaction): the CTE's
 * `FOR UPDATE SKIP LOCKED` lets any number of instances drain the table without two of them
 * taking the same row, and the lease keeps a row away from other instances while this one
 * sends, yet brings it back if this one crashes mid-send.
 *
 * Webhook rows are claimed only while their receiver is enabled, and only when no earlier
 * row (lower id) to the same receiver about the same user is still pending: that is what
 * keeps each user's events in order at each receiver. The probe is answered from
 * `ix_outbox_webhook_order`. The receiver's current URL and sealed secrets come back with
 * the row, so every attempt goes where, and is signed as, the receiver is configured now.
 */
const CLAIM_DUE_SQL = `
  WITH due AS (
    SELECT o.id, o.endpoint_id
      FROM outbox o
      LEFT JOIN webhook_endpoints e ON e.id = o.endpoint_id
     WHERE o.delivered_at IS NULL AND o.dead_at IS NULL
       AND o.next_attempt_at <= $1
       AND (o.leased_until IS NULL OR o.leased_until <= $1)
       AND o.kind = ANY($2::text[])
       AND (o.endpoint_id IS NULL OR e.enabled)
       AND (o.order_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM outbox p
              WHERE p.endpoint_id = o.endpoint_id AND p.order_key = o.order_key
                AND p.id < o.id AND p.delivered_at IS NULL AND p.dead_at IS NULL))
     ORDER BY o.next_attempt_at, o.id
     LIMIT $3
       FOR UPDATE OF o SKIP LOCKED
  )
  UPDATE outbox o
     SET leased_until = $4
    FROM due
    LEFT JOIN webhook_endpoints e ON e.id = due.endpoint_id
   WHERE o.id = due.id
  RETURNING ${OUTBOX_COLUMNS},
            e.url AS receiver_url, e.secret_enc AS receiver_secret_enc,
            e.previous_secret_enc AS receiver_previous_secret_enc,
            e.previous_secret_expires_at AS receiver_previous_secret_expires_at`;

/**
 * Records a failed attempt. A webhook row's later rows for the same receiver and user cannot
 * go before it anyway; their due time moves to its retry time too, so the claim does not
 * walk over a growing backlog of rows that are due but blocked while a receiver is down.
 */
const MARK_FAILED_SQL = `
  WITH failed AS (
    UPDATE outbox
       SET attempts = $2, last_error = $3, last_status_code = $4, next_attempt_at = $5,
           leased_until = NULL
     WHERE id = $1 AND delivered_at IS NULL AND dead_at IS NULL
    RETURNING id, endpoint_id, order_key
  )
  UPDATE outbox f
     SET next_attempt_at = GREATEST(f.next_attempt_at, $5)
    FROM failed
   WHERE failed.order_key IS NOT NULL
     AND f.endpoint_id = failed.endpoint_id AND f.order_key = failed.order_key
     AND f.id > failed.id AND f.delivered_at IS NULL AND f.dead_at IS NULL`;

/** The queue's mechanics: rows commit with the change that caused them, workers drain them. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  /**
   * Adds a pending row, due at `now`. Pass the caller's transaction so the row commits (or
   * rolls back) with the change it announces. Returns the row id.
   */
  async enqueue(
    entry: { kind: OutboxKind; payload: OutboxPayload; now: Date },
    tx?: Tx,
  ): Promise<string> {
    const row = await this.db.one<{ id: string }>(
      `INSERT INTO outbox (kind, payload, next_attempt_at, created_at)
       VALUES ($1, $2::jsonb, $3, $3)
       RETURNING id::text AS id`,
      [entry.kind, JSON.stringify(entry.payload), entry.now],
      tx,
    );
    if (!row) throw new Error('insert into outbox returned no row');
    return row.id;
  }

  /**
   * Claims up to `limit` due pending rows of the given kinds (oldest due first) and leases
   * them until `leaseUntil`; see {@link CLAIM_DUE_SQL}. Runs on its own connection, never
   * inside a caller's transaction: the claim must commit at once to be seen by others.
   */
  async claimDue(options: {
    now: Date;
    leaseUntil: Date;
    limit: number;
    kinds: readonly OutboxKind[];
  }): Promise<ClaimedMessage[]> {
    if (options.kinds.length === 0 || options.limit <= 0) return [];
    const rows = await this.db.query<ClaimedRow>(CLAIM_DUE_SQL, [
      options.now,
      options.kinds,
      options.limit,
      options.leaseUntil,
    ]);
    return rows.map(toClaimedMessage).sort((a, b) => compareIds(a.id, b.id));
  }

  /**
   * Marks a row delivered (counting the successful attempt) and clears `last_error`: an error
   * of an earlier attempt no longer describes the row (and an SMTP error may quote the
   * message). With `redact`, the payload is
   * replaced by {@link REDACTED_PAYLOAD} in the same statement, for channels whose payload
   * must not outlive its use (mail with live links). A row given up on meanwhile (a receiver
   * disabled while its attempt was on the wire) is delivered all the same: it was.
   */
  async markDelivered(
    id: string,
    outcome: { now: Date; statusCode?: number; redact?: boolean },
  ): Promise<void> {
    await this.db.execute(
      `UPDATE outbox
          SET attempts = attempts + 1, delivered_at = $2, dead_at = NULL, leased_until = NULL,
              last_error = NULL, last_status_code = COALESCE($3, last_status_code)
              ${outcome.redact ? ', payload = $4::jsonb' : ''}
        WHERE id = $1 AND delivered_at IS NULL`,
      [
        id,
        outcome.now,
        outcome.statusCode ?? null,
        ...(outcome.redact ? [JSON.stringify(REDACTED_PAYLOAD)] : []),
      ],
    );
  }

  /**
   * Records a failed attempt: the attempt count, a short error, the HTTP status if any, and
   * when to try again (see {@link MARK_FAILED_SQL}).
   */
  async markFailed(
    id: string,
    failure: { attempts: number; error: string; statusCode?: number; nextAttemptAt: Date },
  ): Promise<void> {
    await this.db.execute(MARK_FAILED_SQL, [
      id,
      failure.attempts,
      failure.error,
      failure.statusCode ?? null,
      failure.nextAttemptAt,
    ]);
  }

  /** Gives up on a row: it is never claimed again. `redact` as in {@link markDelivered}. */
  async markDead(
    id: string,
    failure: { attempts: number; error: string; statusCode?: number; now: Date; redact?: boolean },
  ): Promise<void> {
    await this.db.execute(
      `UPDATE outbox
          SET attempts = $2, last_error = $3, last_status_code = $4, dead_at = $5,
              leased_until = NULL
              ${failure.redact ? ', payload = $6::jsonb' : ''}
        WHERE id = $1 AND delivered_at IS NULL AND dead_at IS NULL`,
      [
        id,
        failure.attempts,
        failure.error,
        failure.statusCode ?? null,
        failure.now,
        ...(failure.redact ? [JSON.stringify(REDACTED_PAYLOAD)] : []),
      ],
    );
  }

  /** Deletes rows delivered before `olderThan`, in one statement. Returns how many. */
  async purgeDelivered(olderThan: Date): Promise<number> {
    const { affected } = await this.db.execute(`DELETE FROM outbox WHERE delivered_at < $1`, [
      olderThan,
    ]);
    return affected;
  }

  /** One row by id, whatever its state (operations and tests). */
  /**
   * When the longest-overdue pending row fell due (null when none is due): the backlog's age
   * is now minus this. Rows of a disabled receiver are not waiting on the workers and are
   * left out. Walks `ix_outbox_pending` in order and stops at the first match, so it stays
   * cheap at every scrape however long the queue.
   */
  async oldestDueAt(now: Date): Promise<Date | null> {
    const row = await this.db.one<{ due: Date }>(
      `SELECT o.next_attempt_at AS due
         FROM outbox o
        WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= $1
          AND (o.endpoint_id IS NULL
               OR EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = o.endpoint_id AND e.enabled))
        ORDER BY o.next_attempt_at
        LIMIT 1`,
      [now],
    );
    return row?.due ?? null;
  }

  async findById(id: string, tx?: Tx): Promise<OutboxMessage | null> {
    const row = await this.db.one<OutboxRow>(
      `SELECT ${OUTBOX_COLUMNS} FROM outbox o WHERE o.id = $1`,
      [id],
      tx,
    );
    return row && toOutboxMessage(row);
  }
}

/** Orders bigint ids given as strings (insertion order, as far as identity values go). */
function compareIds(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
