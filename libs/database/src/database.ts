import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * A transaction in progress, as `withTransaction` hands it out. Repository methods take it as
 * their last, optional parameter: their statements then join that transaction, so a change,
 * its audit row and its outbox row commit together or not at all. Opaque to everyone but this
 * lib (it is TypeORM's manager underneath).
 */
export type Tx = EntityManager;

/** What a data-changing statement reports: its `RETURNING` rows and how many rows it touched. */
export interface Execution<R> {
  rows: R[];
  affected: number;
}

/**
 * The one door to Postgres for repositories: SQL statements (in a transaction or on their own)
 * and transactions. Repositories write plain, parameterised SQL against the table module that
 * describes their table; TypeORM stays underneath for the pool, transactions and migrations.
 */
@Injectable()
export class Database {
  /** Hooks to run once the transaction that owns the manager has committed. */
  private readonly afterCommitHooks = new WeakMap<EntityManager, (() => void)[]>();

  constructor(readonly dataSource: DataSource) {}

  /** The rows of one statement (`SELECT`, or `INSERT/UPDATE/DELETE ... RETURNING`). */
  async query<R>(sql: string, params: readonly unknown[] = [], tx?: Tx): Promise<R[]> {
    return (await this.execute<R>(sql, params, tx)).rows;
  }

  /** The first row of one statement, or null. */
  async one<R>(sql: string, params: readonly unknown[] = [], tx?: Tx): Promise<R | null> {
    return (await this.execute<R>(sql, params, tx)).rows[0] ?? null;
  }

  /** One statement, with its `RETURNING` rows and the number of rows it touched. */
  async execute<R = never>(
    sql: string,
    params: readonly unknown[] = [],
    tx?: Tx,
  ): Promise<Execution<R>> {
    const inTx = tx?.queryRunner;
    const runner = inTx ?? this.dataSource.createQueryRunner();
    try {
      const result = await runner.query(sql, [...params], true);
      const rows = (result.records ?? []) as R[];
      return { rows, affected: result.affected ?? rows.length };
    } finally {
      if (!inTx) await runner.release();
    }
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED); commits when it resolves, rolls back when
   * it throws. Hooks registered with {@link afterCommit} run after a commit, never after a
   * rollback.
   */
  async withTransaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const hooks: (() => void)[] = [];
    const result = await this.dataSource.transaction((manager) => {
      this.afterCommitHooks.set(manager, hooks);
      return fn(manager);
    });
    for (const hook of hooks) hook();
    return result;
  }

  /**
   * Defers `hook` until the transaction `tx` commits (dropped on rollback). Outside a
   * transaction (no `tx`) the hook runs on the next microtask. Hooks must not throw: they are
   * for fire-and-forget work such as pushes and metrics.
   */
  afterCommit(tx: Tx | undefined, hook: () => void): void {
    const hooks = tx ? this.afterCommitHooks.get(tx) : undefined;
    if (hooks) hooks.push(hook);
    else queueMicrotask(hook);
  }

  /** Resolves when Postgres answers within `timeoutMs`; rejects otherwise (readiness). */
  async ping(timeoutMs = 1_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('postgres ping timed out')), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
