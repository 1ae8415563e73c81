import { Logger } from '@nestjs/common';
import type { Database } from '@identity/database';
import { EventBus } from './event-bus';
import type { IdentityEvent } from './identity-events';
import type { Tx } from '@identity/database';
import { SystemClock } from '@identity/kernel';

/** Wraps `impl` so that touching anything it does not define fails the test. */
function strict<T extends object>(impl: T, name: string): T {
  return new Proxy(impl, {
    get(target, prop, receiver) {
      if (prop in target) return Reflect.get(target, prop, receiver) as unknown;
      throw new Error(`${name}.${String(prop)} is not part of this double`);
    },
  });
}

/** The one thing EventBus needs from Database: after-commit hooks per transaction. */
class FakeDatabase {
  private readonly hooks = new Map<Tx, (() => void)[]>();

  afterCommit(tx: Tx | undefined, hook: () => void): void {
    if (!tx) throw new Error('the bus must pass the emitter tx');
    const list = this.hooks.get(tx) ?? [];
    list.push(hook);
    this.hooks.set(tx, list);
  }

  commit(tx: Tx): void {
    const list = this.hooks.get(tx) ?? [];
    this.hooks.delete(tx);
    for (const hook of list) hook();
  }

  rollback(tx: Tx): void {
    this.hooks.delete(tx);
  }
}

/** A tx the bus may hand on but never use. */
const fakeManager = (name: string): Tx => strict({}, name) as unknown as Tx;

describe('EventBus', () => {
  let db: FakeDatabase;
  let bus: EventBus;
  let loggedErrors: jest.SpyInstance;

  beforeEach(() => {
    db = new FakeDatabase();
    bus = new EventBus(strict(db, 'Database') as unknown as Database, new SystemClock());
    loggedErrors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  it('runs transactional handlers in registration order, filtered, with the emitter tx', async () => {
    const tx = fakeManager('tx');
    const calls: string[] = [];
    let received: { event: IdentityEvent; sameManager: boolean } | undefined;
    bus.onTransaction('*', (event, m) => {
      calls.push(`all:${event.type}`);
      received = { event, sameManager: m === tx };
      return Promise.resolve();
    });
    bus.onTransaction('mfa.enabled', (event) => {
      calls.push(`mfa:${event.type}`);
      return Promise.resolve();
    });
    bus.onTransaction('user.locked', () => {
      calls.push('locked');
      return Promise.resolve();
    });

    await bus.emit(tx, 'mfa.enabled', { userId: 'u1' });

    expect(calls).toEqual(['all:mfa.enabled', 'mfa:mfa.enabled']);
    expect(received?.sameManager).toBe(true);
    expect(received?.event.payload).toEqual({ userId: 'u1' });
    expect(received?.event.at).toBeInstanceOf(Date);
  });

  it('runs after-commit handlers only once the transaction commits, never on rollback', async () => {
    const committed = fakeManager('committed');
    const rolledBack = fakeManager('rolledBack');
    const seen: string[] = [];
    bus.onCommitted('*', (e) => void seen.push(`all:${e.type}`));
    bus.onCommitted('user.locked', (e) => void seen.push(`locked:${e.type}`));

    await bus.emit(committed, 'user.locked', { userId: 'u1' });
    await bus.emit(committed, 'mfa.enabled', { userId: 'u1' });
    await bus.emit(rolledBack, 'user.locked', { userId: 'u2' });
    expect(seen).toEqual([]);

    db.rollback(rolledBack);
    db.commit(committed);
    expect(seen).toEqual(['all:user.locked', 'locked:user.locked', 'all:mfa.enabled']);
  });

  it('rejects when a transactional handler throws, skipping later handlers and after-commit', async () => {
    const tx = fakeManager('tx');
    const later = jest.fn(() => Promise.resolve());
    const committed = jest.fn();
    bus.onTransaction('*', () => Promise.reject(new Error('audit insert failed')));
    bus.onTransaction('*', later);
    bus.onCommitted('*', committed);

    await expect(bus.emit(tx, 'mfa.disabled', { userId: 'u1' })).rejects.toThrow(
      'audit insert failed',
    );
    db.commit(tx);
    expect(later).not.toHaveBeenCalled();
    expect(committed).not.toHaveBeenCalled();
  });

  it('logs a failing after-commit handler and still runs the next ones', async () => {
    const tx = fakeManager('tx');
    const seen: string[] = [];
    bus.onCommitted('*', () => {
      throw new Error('sync failure');
    });
    bus.onCommitted('*', () => Promise.reject(new Error('async failure')));
    bus.onCommitted('*', (e) => void seen.push(e.type));

    await bus.emit(tx, 'key.rotated', { kid: 'k2', reason: 'manual' });
    db.commit(tx);
    await new Promise((resolve) => setImmediate(resolve));

    expect(seen).toEqual(['key.rotated']);
    expect(loggedErrors).toHaveBeenCalledTimes(2);
  });
});
