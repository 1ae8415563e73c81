import Redis, { type RedisOptions } from 'ioredis';

/** A Sentinel-managed Redis: the Sentinels to ask and the master group they watch. */
export interface RedisSentinelEndpoint {
  sentinels: { host: string; port: number }[];
  /** Master group name (`sentinel monitor <name> ...`). */
  name: string;
  sentinelPassword?: string;
  /** Credentials and database of the data nodes (primary and replicas). */
  username?: string;
  password?: string;
  db?: number;
  /** TLS to the data nodes and to the Sentinels. */
  tls?: boolean;
}

/**
 * Where the app's Redis is: a `redis://`/`rediss://` URL, or Sentinels that name the current
 * primary. Exactly one of the two.
 */
export type RedisEndpoint =
  { url: string; sentinel?: undefined } | { sentinel: RedisSentinelEndpoint; url?: undefined };

/**
 * A write that reaches a replica answers READONLY: the primary this connection reached has
 * been demoted (a failover, or a DNS name / VIP that moved). Reconnecting makes ioredis ask
 * the Sentinels (or the resolver) again; 2 = reconnect and resend the command (it fails fast
 * instead when the connection has no offline queue).
 */
export function reconnectOnReadonly(err: Error): 2 | false {
  return err.message.startsWith('READONLY') ? 2 : false;
}

/**
 * The one place the app opens a Redis connection: every client (kv commands and pub/sub, the
 * rate limiter through `RedisKvStore.client`, the socket.io adapter through `duplicate()`)
 * comes from here, so a Sentinel setup applies to all of them alike.
 *
 * With Sentinels the connection asks them for the primary (`role: 'master'`, checked with
 * ROLE after connecting), watches them for `+switch-master` (`failoverDetector`) so a
 * failover is noticed at once rather than at the next failed command, and asks again on each
 * reconnect. `options` are the caller's resilience settings (timeouts, retries).
 */
export function openRedisConnection(endpoint: RedisEndpoint, options: RedisOptions): Redis {
  const common: RedisOptions = { reconnectOnError: reconnectOnReadonly, ...options };
  if (endpoint.url !== undefined) return new Redis(endpoint.url, common);
  const s = endpoint.sentinel;
  return new Redis({
    ...common,
    sentinels: s.sentinels.map(({ host, port }) => ({ host, port })),
    name: s.name,
    role: 'master',
    failoverDetector: true,
    ...(s.sentinelPassword ? { sentinelPassword: s.sentinelPassword } : {}),
    ...(s.username ? { username: s.username } : {}),
    ...(s.password ? { password: s.password } : {}),
    ...(s.db === undefined ? {} : { db: s.db }),
    ...(s.tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
    // Sentinels answer at once or not at all: do not let one dead Sentinel hold a reconnect.
    sentinelCommandTimeout: options.connectTimeout,
    sentinelRetryStrategy: (attempt: number) => Math.min(attempt * 100, 2_000),
  });
}
