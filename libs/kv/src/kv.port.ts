/**
 * The ephemeral-store port. Redis in production (shared by every instance), an in-memory
 * adapter on the embedded default (single instance only). Only state that may be lost or
 * rebuilt lives here: rate-limit counters, lockouts, the access-token denylist, short caches.
 *
 * Keys passed in are logical; each adapter applies its configured prefix, so tests and
 * tenants can share one Redis without colliding. TTLs are whole seconds.
 */
export interface KvStore {
  /** `redis` or `memory`: which adapter serves. */
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Reads several keys in one round trip; `null` for a missing key. */
  getMany(keys: string[]): Promise<(string | null)[]>;
  /** Sets a value, with a TTL when given (else no expiry). */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** Sets only when the key is absent (SET NX); true when this call set it. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean>;
  /** Deletes keys; returns how many existed. */
  delete(...keys: string[]): Promise<number>;
  /** Seconds left before the key expires; null when it is missing or has no TTL. */
  ttl(key: string): Promise<number | null>;
  /** Publishes to every subscriber of the channel, on every instance sharing the store. */
  publish(channel: string, message: string): Promise<void>;
  /** Subscribes; resolves once the subscription is active. Returns the unsubscribe function. */
  subscribe(channel: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the store answers; rejects otherwise (readiness). */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the store's connection drops (not on close()). Writes it
   * acknowledged just before may be gone: a Redis failover promotes a replica that can lag
   * behind the crashed primary. Never called by the in-memory store. Returns the unsubscribe
   * function.
   */
  onConnectionLost(listener: () => void): () => void;
  close(): Promise<void>;
}

/** DI token of the {@link KvStore}. */
export const KV_STORE = Symbol('KV_STORE');
