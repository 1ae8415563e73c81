import { Logger } from '@nestjs/common';
import type { KvStore } from './kv.port';
import { MemoryKvBackend, type MemorySubscription } from './memory-kv.backend';

/** Options of {@link MemoryKvStore}; all optional. */
export interface MemoryKvStoreOptions {
  /** Prepended to every key and channel, as the Redis adapter does. Default: none. */
  keyPrefix?: string;
  /** State to share with other stores (tests of several instances). Default: a private one. */
  backend?: MemoryKvBackend;
  /** How often expired entries are swept. Default: 60 s. */
  sweepIntervalMs?: number;
  /** Receives errors thrown by subscription handlers. Default: logged. */
  onError?: (err: Error) => void;
}

const logger = new Logger('MemoryKvStore');

/**
 * The in-process {@link KvStore}: the embedded default, for one instance only (nothing is
 * shared between processes, and everything is lost on restart, which the port allows).
 */
export class MemoryKvStore implements KvStore {
  readonly kind = 'memory';
  private readonly prefix: string;
  private readonly backend: MemoryKvBackend;
  private readonly onError: (err: Error) => void;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly subscriptions = new Set<{ channel: string; sub: MemorySubscription }>();
  private closed = false;

  constructor(options: MemoryKvStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? '';
    this.backend = options.backend ?? new MemoryKvBackend();
    this.onError =
      options.onError ?? ((err) => logger.error(`subscription handler failed: ${err.message}`));
    this.sweepTimer = setInterval(() => this.backend.sweep(), options.sweepIntervalMs ?? 60_000);
    // The sweep is housekeeping: it must never keep the process (or a test run) alive.
    this.sweepTimer.unref();
  }

  /** The process is the store: its connection cannot drop, so `listener` is never called. */
  onConnectionLost(listener: () => void): () => void {
    void listener;
    return () => undefined;
  }

  get(key: string): Promise<string | null> {
    return this.run(() => this.backend.get(this.key(key)));
  }

  getMany(keys: string[]): Promise<(string | null)[]> {
    return this.run(() => this.backend.getMany(keys.map((key) => this.key(key))));
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    return this.run(() => this.backend.set(this.key(key), value, ttlSeconds));
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    return this.run(() => this.backend.setIfAbsent(this.key(key), value, ttlSeconds));
  }

  delete(...keys: string[]): Promise<number> {
    return this.run(() => this.backend.delete(keys.map((key) => this.key(key))));
  }

  ttl(key: string): Promise<number | null> {
    return this.run(() => this.backend.ttl(this.key(key)));
  }

  publish(channel: string, message: string): Promise<void> {
    return this.run(() => this.backend.publish(this.key(channel), message));
  }

  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    return this.run(() => {
      const entry = {
        channel: this.key(channel),
        sub: {
          deliver: (message: string) => {
            try {
              handler(message);
            } catch (err) {
              // Thrown from a setImmediate it would crash the process; one bad handler must not.
              this.onError(err instanceof Error ? err : new Error(String(err)));
            }
          },
        },
      };
      this.backend.subscribe(entry.channel, entry.sub);
      this.subscriptions.add(entry);
      return () => {
        this.backend.unsubscribe(entry.channel, entry.sub);
        this.subscriptions.delete(entry);
        return Promise.resolve();
      };
    });
  }

  ping(): Promise<void> {
    return this.run(() => undefined);
  }

  /** Stops the sweep and this store's subscriptions; later calls reject, as with Redis. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    clearInterval(this.sweepTimer);
    for (const { channel, sub } of this.subscriptions) this.backend.unsubscribe(channel, sub);
    this.subscriptions.clear();
    return Promise.resolve();
  }

  private key(key: string): string {
    return this.prefix + key;
  }

  /** Runs an operation as a promise: a throw becomes a rejection, as a Redis error would. */
  private run<T>(operation: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new Error('kv: the memory store is closed'));
    try {
      return Promise.resolve(operation());
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
