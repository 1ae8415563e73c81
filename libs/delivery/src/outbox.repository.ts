import { Injectable } from '@nestjs/common';
import type { EntityManager, QueryDeepPartialEntity, Repository } from 'typeorm';
import { Database } from '@identity/database';
import { OutboxEntity, type OutboxKind, type OutboxPayload } from './outbox.entity';

/** What replaces a payload that must not outlive its delivery (see `markDelivered`). */
export const REDACTED_PAYLOAD: OutboxPayload = { redacted: true };

/** Column names as `claimDue`'s raw `RETURNING` hands them back. */
interface OutboxRow {
  id: string;
  kind: OutboxKind;
  payload: OutboxPayload;
  attempts: number;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  delivered_at: Date | null;
  dead_at: Date | null;
}

/**
 * Claims due rows and pushes them out of reach for a lease, in one statement (so one short
 * transaction): the CTE's `FOR UPDATE SKIP LOCKED` lets any number of instances drain the
 * table without two of them taking the same row, and the lease keeps a row away from other
 * instances while this one sends, yet brings it back if this one crashes mid-send.
 */
const CLAIM_DUE_SQL = `
  WITH due AS (
    SELECT id FROM outbox
     WHERE next_attempt_at <= now() AND delivered_at IS NULL AND dead_at IS NULL
       AND kind = ANY($2::text[])
     ORDER BY next_attempt_at
     LIMIT $1
       FOR UPDATE SKIP LOCKED
  )
  UPDATE outbox o
     SET next_attempt_at = now() + make_interval(secs => $3)
    FROM due
   WHERE o.id = due.id
  RETURNING o.*`;

/** The durable outbox: rows commit with the change that caused them, workers drain them. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly db: Database) {}

  /**
   * Adds a pending row, due now. Pass the manager of the caller's transaction so the row
   * commits (or rolls back) with the change it announces. Returns the row id.
   */
  async enqueue(
    manager: EntityManager | undefined,
    entry: { kind: OutboxKind; payload: OutboxPayload },
  ): Promise<string> {
    const result = await this.repo(manager).insert({
      kind: entry.kind,
      payload: asJsonb(entry.payload),
    });
    const id = (result.identifiers[0] as { id?: unknown } | undefined)?.id;
    return String(id);
  }

  /**
   * Claims up to `limit` due pending rows of the given kinds (oldest due first) and leases
   * them for `leaseSeconds`; see {@link CLAIM_DUE_SQL}. Always runs on its own connection,
   * never inside a caller's transaction: the claim must commit at once to be seen by others.
   */
  async claimDue(options: {
    limit: number;
    leaseSeconds: number;
    kinds: readonly OutboxKind[];
  }): Promise<OutboxEntity[]> {
    if (options.kinds.length === 0 || options.limit <= 0) return [];
    const runner = this.db.dataSource.createQueryRunner();
    try {
      const result = await runner.query(
        CLAIM_DUE_SQL,
        [options.limit, options.kinds, options.leaseSeconds],
        true,
      );
      return (result.records as OutboxRow[]).map(toEntity).sort((a, b) => compareIds(a.id, b.id));
    } finally {
      await runner.release();
    }
  }

  /**
   * Marks a row delivered (counting the successful attempt). With `redact`, the payload is
   * replaced by {@link REDACTED_PAYLOAD} in the same statement, for channels whose payload
   * must not outlive its use (mail with live links).
   */
  async markDelivered(id: string, options: { redact?: boolean } = {}): Promise<void> {
    await this.repo()
      .createQueryBuilder()
      .update()
      .set({
        attempts: () => 'attempts + 1',
        deliveredAt: () => 'now()',
        ...(options.redact ? { payload: asJsonb(REDACTED_PAYLOAD) } : {}),
      })
      .where('id = :id AND delivered_at IS NULL AND dead_at IS NULL', { id })
      .execute();
  }

  /**
   * Records a failed attempt: the attempt count, a short error and when to try again. The
   * retry time is computed by Postgres (`now() + delay`), the same clock `claimDue` compares
   * with, so clock skew between instances does not shift the schedule.
   */
  async markFailed(
    id: string,
    failure: { attempts: number; retryInMs: number; error: string },
  ): Promise<void> {
    await this.repo()
      .createQueryBuilder()
      .update()
      .set({
        attempts: failure.attempts,
        lastError: failure.error,
        nextAttemptAt: () => 'now() + make_interval(secs => :retrySeconds)',
      })
      .where('id = :id AND delivered_at IS NULL AND dead_at IS NULL', { id })
      .setParameter('retrySeconds', failure.retryInMs / 1000)
      .execute();
  }

  /** Gives up on a row: it is never claimed again. `redact` as in {@link markDelivered}. */
  async markDead(
    id: string,
    failure: { attempts: number; error: string; redact?: boolean },
  ): Promise<void> {
    await this.repo()
      .createQueryBuilder()
      .update()
      .set({
        attempts: failure.attempts,
        lastError: failure.error,
        deadAt: () => 'now()',
        ...(failure.redact ? { payload: asJsonb(REDACTED_PAYLOAD) } : {}),
      })
      .where('id = :id AND delivered_at IS NULL AND dead_at IS NULL', { id })
      .execute();
  }

  /** Deletes rows delivered before `olderThan`, in one statement. Returns how many. */
  async purgeDelivered(olderThan: Date): Promise<number> {
    const result = await this.repo()
      .createQueryBuilder()
      .delete()
      .where('delivered_at < :olderThan', { olderThan })
      .execute();
    return result.affected ?? 0;
  }

  /** One row by id, whatever its state (operations and tests). */
  async findById(id: string, manager?: EntityManager): Promise<OutboxEntity | null> {
    return this.repo(manager).findOneBy({ id });
  }

  private repo(manager?: EntityManager): Repository<OutboxEntity> {
    return (manager ?? this.db.manager).getRepository(OutboxEntity);
  }
}

/**
 * TypeORM's deep-partial type cannot express "any JSON object" (its `unknown` maps to `{}`),
 * so a payload is widened to the loose form; the driver serialises jsonb with JSON.stringify.
 */
function asJsonb(payload: OutboxPayload): QueryDeepPartialEntity<OutboxPayload> {
  return payload;
}

function toEntity(row: OutboxRow): OutboxEntity {
  return Object.assign(new OutboxEntity(), {
    id: String(row.id),
    kind: row.kind,
    payload: row.payload,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
    deadAt: row.dead_at,
  });
}

/** Orders bigint ids given as strings (insertion order, as far as identity values go). */
function compareIds(a: string, b: string): number {
  const d = BigInt(a) - BigInt(b);
  return d < 0n ? -1 : d > 0n ? 1 : 0;
}
