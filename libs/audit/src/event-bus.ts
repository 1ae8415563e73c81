import { Injectable, Logger } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import type { IdentityEvent, IdentityEventMap, IdentityEventType } from './identity-events';
import { Clock } from '@identity/kernel';

/**
 * A subscriber that must commit with the change (audit row, webhook outbox row). It runs in
 * the emitter's transaction; if it throws, the whole change rolls back.
 */
export type TransactionalHandler = (event: IdentityEvent, tx: Tx) => Promise<void>;

/** A subscriber for what may be lost (socket push, metrics). Runs after commit; errors are logged. */
export type AfterCommitHandler = (event: IdentityEvent) => void | Promise<void>;

/** Which events a subscriber receives: one type, or `'*'` for all of them. */
export type EventFilter = IdentityEventType | '*';

/**
 * The in-process event bus. Domain services call {@link emit} inside their transaction;
 * subscribers register at module init.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly transactional: { filter: EventFilter; handler: TransactionalHandler }[] = [];
  private readonly afterCommit: { filter: EventFilter; handler: AfterCommitHandler }[] = [];

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Subscribes `handler` to run inside the emitter's transaction, in registration order. */
  onTransaction(filter: EventFilter, handler: TransactionalHandler): void {
    this.transactional.push({ filter, handler });
  }

  /** Subscribes `handler` to run once the emitter's transaction has committed (never on rollback). */
  onCommitted(filter: EventFilter, handler: AfterCommitHandler): void {
    this.afterCommit.push({ filter, handler });
  }

  /**
   * Publishes one event. Transactional subscribers run now, in `tx`'s transaction (pass
   * the tx of `Database.withTransaction`); after-commit subscribers run once it commits.
   * @throws whatever a transactional subscriber throws (the caller's transaction then rolls back).
   */
  async emit<K extends IdentityEventType>(
    tx: Tx,
    type: K,
    payload: IdentityEventMap[K],
  ): Promise<void> {
    const event: IdentityEvent = { type, payload, at: this.clock.now() };
    for (const { filter, handler } of this.transactional) {
      if (filter === '*' || filter === type) await handler(event, tx);
    }
    this.db.afterCommit(tx, () => this.dispatchCommitted(event));
  }

  private dispatchCommitted(event: IdentityEvent): void {
    for (const { filter, handler } of this.afterCommit) {
      if (filter !== '*' && filter !== event.type) continue;
      try {
        const result = handler(event);
        if (result instanceof Promise) {
          result.catch((err: unknown) => this.logFailure(event, err));
        }
      } catch (err) {
        this.logFailure(event, err);
      }
    }
  }

  private logFailure(event: IdentityEvent, err: unknown): void {
    this.logger.error(
      { event: event.type, err: err instanceof Error ? err.message : String(err) },
      'after-commit subscriber failed',
    );
  }
}
