import { assertTtlSeconds, secondsLeft } from './kv.ttl';

interface Entry {
  value: string;
  expiresAt: number | null;
}

/** One live subscription; an object (not the bare handler) so one function may subscribe twice. */
export interface MemorySubscription {
  readonly deliver: (message: string) => void;
}

/**
 * The state behind one or more {@link MemoryKvStore}s: one keyspace and one set of channels,
 * like one Redis. Each store gets its own by default; pass one backend to several stores (with
 * different or equal prefixes) to simulate several instances sharing a Redis, in tests.
 *
 * Keys here are full keys: the store has already applied its prefix. Expired entries are
 * dropped lazily on access and by {@link MemoryKvBackend.sweep}.
 */
export class MemoryKvBackend {
  private readonly entries = new Map<string, Entry>();
  private readonly channels = new Map<string, Set<MemorySubscription>>();

  get(key: string): string | null {
    const entry = this.live(key);
    if (!entry) return null;
    return entry.value;
  }

  getMany(keys: string[]): (string | null)[] {
    return keys.map((key) => this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ttlSeconds?: number): void {
    if (ttlSeconds !== undefined) assertTtlSeconds(ttlSeconds);
    // Like SET without KEEPTTL: a plain set also clears a previous TTL.
    this.entries.set(key, { value, expiresAt: expiryOf(ttlSeconds) });
  }

  setIfAbsent(key: string, value: string, ttlSeconds: number): boolean {
    assertTtlSeconds(ttlSeconds);
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: expiryOf(ttlSeconds) });
    return true;
  }

  delete(keys: string[]): number {
    let existed = 0;
    for (const key of keys) {
      if (this.live(key)) existed += 1;
      this.entries.delete(key);
    }
    return existed;
  }

  ttl(key: string): number | null {
    const entry = this.live(key);
    if (!entry || entry.expiresAt === null) return null;
    return secondsLeft(entry.expiresAt - Date.now());
  }

  publish(channel: string, message: string): void {
    const subscriptions = this.channels.get(channel);
    if (!subscriptions) return;
    for (const subscription of [...subscriptions]) {
      // Deliver later, never inside publish(): a handler that publishes or unsubscribes must not
      // re-enter the caller, as it cannot with Redis. Checked again at delivery so an
      // unsubscribe that lands in between stops the message.
      setImmediate(() => {
        if (this.channels.get(channel)?.has(subscription)) subscription.deliver(message);
      });
    }
  }

  subscribe(channel: string, subscription: MemorySubscription): void {
    const subscriptions = this.channels.get(channel) ?? new Set<MemorySubscription>();
    subscriptions.add(subscription);
    this.channels.set(channel, subscriptions);
  }

  unsubscribe(channel: string, subscription: MemorySubscription): void {
    const subscriptions = this.channels.get(channel);
    if (!subscriptions) return;
    subscriptions.delete(subscription);
    if (subscriptions.size === 0) this.channels.delete(channel);
  }

  /** Drops every expired entry; lazy expiry alone would keep keys nobody reads again. */
  sweep(now = Date.now()): void {
    for (const [key, entry] of this.entries) {
      if (isExpired(entry, now)) this.entries.delete(key);
    }
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && isExpired(entry, Date.now())) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

function expiryOf(ttlSeconds: number | undefined): number | null {
  return ttlSeconds === undefined ? null : Date.now() + ttlSeconds * 1000;
}

function isExpired(entry: Entry, now: number): boolean {
  return entry.expiresAt !== null && entry.expiresAt <= now;
}
