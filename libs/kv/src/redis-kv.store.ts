import { Logger } from '@nestjs/common';
import type { Redis, RedisOptions } from 'ioredis';
import type { KvStore } from './kv.port';
import { openRedisConnection, type RedisEndpoint } from './redis-endpoint';
import { closeConnection, waitForReady, withTimeout } from './redis-connection';
import { assertTtlSeconds, secondsLeft } from './kv.ttl';

/**
 * Options of {@link RedisKvStore}: where Redis is (a `redis://`/`rediss://` URL or Sentinels;
 * either may carry credentials, so neither is ever logged) and how to use it.
 */
export type RedisKvStoreOptions = RedisEndpoint & RedisKvStoreSettings;

/** The endpoint-independent part of {@link RedisKvStoreOptions}. */
export interface RedisKvStoreSettings {
  /** Prepended to every key and channel so several apps or test files share one Redis. */
  keyPrefix: string;
  /**
   * Receives connection errors and errors thrown by subscription handlers. Default: logged by
   * message only (never the URL), once per outage rather than on every reconnect attempt.
   */
  onError?: (err: Error) => void;
}

/** Readiness must answer fast: a load balancer should not wait on a dead Redis. */
const PING_TIMEOUT_MS = 1_000;
const CONNECT_TIMEOUT_MS = 2_000;
/** A hung (connected but silent) Redis must fail a request, not stall it forever. */
const COMMAND_TIMEOUT_MS = 2_000;
const MAX_RECONNECT_DELAY_MS = 2_000;

/** One handler registration; an object so the same function may subscribe twice. */
interface Subscription {
  readonly handler: (message: string) => void;
}

const logger = new Logger('RedisKvStore');

/**
 * The Redis {@link KvStore}: shared by every instance. Built to keep the app running while
 * Redis is down: commands fail fast instead of queueing, the connection keeps retrying in
 * the background, and {@link RedisKvStore.ping} reports the outage within a second.
 */
export class RedisKvStore implements KvStore {
  readonly kind = 'redis';
  private readonly redis: Redis;
  private readonly onError: (err: Error) => void;
  private subscriber: Redis | undefined;
  private readonly handlers = new Map<string, Set<Subscription>>();
  /** Channels the subscriber connection is subscribed to (as far as we asked it). */
  private readonly activeChannels = new Set<string>();
  /** Per channel, the last SUBSCRIBE/UNSUBSCRIBE, so they reach Redis in call order. */
  private readonly channelOps = new Map<string, Promise<void>>();
  private closing: Promise<void> | undefined;
  /** Last error the default sink logged; reset on reconnect so each outage logs once. */
  private lastLogged: string | undefined;
  private readonly lostListeners = new Set<() => void>();
  /** The command connection was ready since it last dropped. */
  private wasReady = false;

  constructor(private readonly options: RedisKvStoreOptions) {
    this.onError = options.onError ?? ((err) => this.logOncePerOutage(err));
    // Auto-pipelining: the commands one tick issues (a request's limiter and denylist reads,
    // and those of concurrent requests) leave in one write, not one write each.
    this.redis = this.connect({ keyPrefix: options.keyPrefix, enableAutoPipelining: true });
    this.redis.on('ready', () => {
      this.wasReady = true;
    });
    this.redis.on('close', () => {
      // Once per drop (a reconnect loop closes every failed attempt too), never for close().
      if (!this.wasReady || this.closing) return;
      this.wasReady = false;
      for (const listener of [...this.lostListeners]) listener();
    });
  }

  onConnectionLost(listener: () => void): () => void {
    const entry = (): void => listener();
    this.lostListeners.add(entry);
    return () => {
      this.lostListeners.delete(entry);
    };
  }

  /**
   * The command connection (keys prefixed). It exists for libraries that need a raw ioredis
   * client, such as rate-limiter-flexible or the socket.io Redis adapter; everything else goes
   * through the {@link KvStore} methods. Do not close it: {@link RedisKvStore.close} does.
   */
  get client(): Redis {
    return this.redis;
  }

  /**
   * A new connection to the same Redis with the same resilient options but no key prefix
   * (the socket.io Redis adapter needs its own pub and sub clients). The caller owns it and
   * must `quit()` it. Such clients often subscribe before they are connected: pass
   * `{ enableOfflineQueue: true }` for those, or their first SUBSCRIBE fails fast.
   */
  duplicate(overrides: Partial<RedisOptions> = {}): Redis {
    return this.connect(overrides);
  }

  /**
   * Waits until the command connection is ready, at most `timeoutMs`; never rejects. Commands
   * fail fast while disconnected, so boot waits for the first connection (see createKvStore).
   */
  waitUntilReady(timeoutMs = CONNECT_TIMEOUT_MS): Promise<boolean> {
    return waitForReady(this.redis, timeoutMs);
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async getMany(keys: string[]): Promise<(string | null)[]> {
    // MGET with no keys is a syntax error in Redis.
    if (keys.length === 0) return [];
    return this.redis.mget(...keys);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds === undefined) {
      await this.redis.set(key, value);
      return;
    }
    assertTtlSeconds(ttlSeconds);
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<boolean> {
    assertTtlSeconds(ttlSeconds);
    return (await this.redis.set(key, value, 'EX', ttlSeconds, 'NX')) === 'OK';
  }

  async delete(...keys: string[]): Promise<number> {
    // DEL with no keys is a syntax error in Redis.
    if (keys.length === 0) return 0;
    return this.redis.del(...keys);
  }

  async ttl(key: string): Promise<number | null> {
    // PTTL, not TTL: Redis rounds TTL to the nearest second, so a live key could report 0.
    const ms = await this.redis.pttl(key);
    return ms < 0 ? null : secondsLeft(ms);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.redis.publish(this.channel(channel), message);
  }

  async subscribe(
    channel: string,
    handler: (message: string) => void,
  ): Promise<() => Promise<void>> {
    const name = this.channel(channel);
    const subscription: Subscription = { handler };
    const subscriptions = this.handlers.get(name) ?? new Set<Subscription>();
    subscriptions.add(subscription);
    this.handlers.set(name, subscriptions);
    try {
      await this.syncChannel(name);
    } catch (err) {
      this.removeHandler(name, subscription);
      throw err;
    }
    let active = true;
    return async () => {
      if (!active) return;
      active = false;
      // Delivery stops here, whatever Redis says next.
      this.removeHandler(name, subscription);
      try {
        await this.syncChannel(name);
      } catch (err) {
        // Nothing reaches the handler any more; a leftover server-side subscription is only
        // wasted traffic, retried on the next change of this channel. Not worth a throw.
        this.onError(asError(err));
      }
    };
  }

  /** @throws Error when Redis does not answer within a second (readiness). */
  async ping(): Promise<void> {
    await withTimeout(this.redis.ping(), PING_TIMEOUT_MS, 'kv: redis did not answer PING');
  }

  /** Quits both connections; falls back to a hard disconnect so shutdown never hangs. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.handlers.clear();
      await Promise.all([
        closeConnection(this.redis),
        this.subscriber ? closeConnection(this.subscriber) : Promise.resolve(),
      ]);
    })();
    return this.closing;
  }

  private channel(channel: string): string {
    // ioredis applies keyPrefix to keys only, not to pub/sub channel names.
    return this.options.keyPrefix + channel;
  }

  private removeHandler(name: string, subscription: Subscription): void {
    const subscriptions = this.handlers.get(name);
    subscriptions?.delete(subscription);
    if (subscriptions?.size === 0) this.handlers.delete(name);
  }

  /**
   * Brings the server-side subscription of one channel in line with its handlers. Chained per
   * channel so a quick unsubscribe/subscribe pair cannot reach Redis in the wrong order.
   */
  private syncChannel(name: string): Promise<void> {
    const previous = this.channelOps.get(name) ?? Promise.resolve();
    const next = previous
      .catch(() => undefined)
      .then(async () => {
        const wanted = this.handlers.has(name);
        if (wanted === this.activeChannels.has(name)) return;
        if (wanted) {
          await (await this.subscriberConnection()).subscribe(name);
          this.activeChannels.add(name);
        } else if (this.subscriber) {
          await this.subscriber.unsubscribe(name);
          this.activeChannels.delete(name);
        }
      });
    this.channelOps.set(name, next);
    const forget = (): void => {
      if (this.channelOps.get(name) === next) this.channelOps.delete(name);
    };
    next.then(forget, forget);
    return next;
  }

  /** The one subscriber connection, opened on first use and shared by every channel. */
  private async subscriberConnection(): Promise<Redis> {
    if (this.closing) throw new Error('kv: the redis store is closed');
    // Like every other command, fail fast while Redis is down rather than wait out a connect.
    if (this.redis.status !== 'ready') throw new Error('kv: redis is unavailable');
    if (!this.subscriber) {
      // Unprefixed: channel names already carry the prefix (see channel()).
      this.subscriber = this.connect({});
      this.subscriber.on('message', (channel: string, message: string) => {
        this.dispatch(channel, message);
      });
    }
    // Not memoised: after an outage the next subscribe must be able to succeed.
    if (!(await waitForReady(this.subscriber, CONNECT_TIMEOUT_MS))) {
      throw new Error('kv: the redis subscriber connection is not ready');
    }
    return this.subscriber;
  }

  private dispatch(channel: string, message: string): void {
    for (const { handler } of [...(this.handlers.get(channel) ?? [])]) {
      try {
        handler(message);
      } catch (err) {
        // A throw here would unwind into ioredis's reply parser; one bad handler must not.
        this.onError(asError(err));
      }
    }
  }

  private connect(overrides: Partial<RedisOptions>): Redis {
    const connection = openRedisConnection(this.options, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_TIMEOUT_MS,
      commandTimeout: COMMAND_TIMEOUT_MS,
      // Bounds how long a disconnect() waits for a graceful close before destroying the socket.
      disconnectTimeout: 500,
      // Never give up: Redis coming back must heal the app without a restart.
      retryStrategy: (attempt: number) => Math.min(attempt * 100, MAX_RECONNECT_DELAY_MS),
      ...overrides,
    });
    // Without a listener ioredis reports every failed reconnect as an unhandled error event.
    connection.on('error', (err: Error) => this.onError(err));
    connection.on('ready', () => {
      if (this.lastLogged === undefined) return;
      this.lastLogged = undefined;
      logger.log('redis connection restored');
    });
    return connection;
  }

  /** Default error sink: one line per outage, not one per reconnect attempt; never the URL. */
  private logOncePerOutage(err: Error): void {
    if (err.message === this.lastLogged) return;
    this.lastLogged = err.message;
    logger.warn(`redis error: ${err.message}`);
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
