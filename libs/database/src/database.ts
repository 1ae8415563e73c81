import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';

/**
 * The one door to Postgres for repositories: the current manager and transactions.
 * Repository methods take an optional `EntityManager` so a change, its audit row and its
 * outbox row commit together (`withTransaction`).
 */
@Injectable()
export class Database {
  /** Hooks to run once the transaction that owns the manager has committed. */
  private readonly afterCommitHooks = new WeakMap<EntityManager, (() => void)[]>();

  constructor(readonly dataSource: DataSource) {}

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /**
   * Runs `fn` in one transaction (READ COMMITTED); commits when it resolves, rolls back when
   * it throws. Hooks registered with {@link afterCommit} run after a commit, never after a
   * rollback.
   */
  async withTransaction<T>(fn: (manager: EntityManager) => Promise<T>): Promise<T> {
    const hooks: (() => void)[] = [];
    const result = await this.dataSource.transaction((manager) => {
      this.afterCommitHooks.set(manager, hooks);
      return fn(manager);
    });
    for (const hook of hooks) hook();
    return result;
  }

  /**
   * Defers `hook` until the transaction of `manager` commits (dropped on rollback). Outside a
   * transaction (no manager, or the plain manager) the hook runs on the next microtask.
   * Hooks must not throw: they are for fire-and-forget work such as pushes and metrics.
   */
  afterCommit(manager: EntityManager | undefined, hook: () => void): void {
    const hooks = manager ? this.afterCommitHooks.get(manager) : undefined;
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
