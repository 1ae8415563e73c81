import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { KV_STORE, type KvStore } from './kv.port';
import { MemoryKvStore } from './memory-kv.store';
import { RedisKvStore } from './redis-kv.store';
import type { RedisSentinelEndpoint } from './redis-endpoint';

/** Options of {@link KvModule.forRoot} (the app passes `config.redis`). */
export interface KvModuleOptions {
  /** A `redis://` URL; unset (and no `redisSentinel`) = the in-memory adapter (one instance). */
  redisUrl?: string;
  /** Sentinels naming the primary (the app passes `config.redis.sentinel`); not with redisUrl. */
  redisSentinel?: RedisSentinelEndpoint;
  /** Prepended to every key and channel. */
  keyPrefix: string;
}

/** Options of {@link createKvStore}. */
export interface CreateKvStoreOptions extends KvModuleOptions {
  /** Connection and subscription-handler errors. Default: logged, without the URL. */
  onError?: (err: Error) => void;
  /** How long to wait for the first Redis connection. Default: 2 s. */
  readyTimeoutMs?: number;
}

const logger = new Logger('KvModule');

/**
 * Builds the {@link KvStore} the options call for: Redis when `redisUrl` or `redisSentinel`
 * is set, memory otherwise. With Redis it waits (briefly) for the first connection, because commands fail
 * fast rather than queue while disconnected; it never rejects when Redis is down, so the app
 * still boots and readiness (`ping`) reports the outage.
 * @throws Error when both `redisUrl` and `redisSentinel` are given.
 */
export async function createKvStore(options: CreateKvStoreOptions): Promise<KvStore> {
  const settings = { keyPrefix: options.keyPrefix, onError: options.onError };
  if (options.redisUrl !== undefined && options.redisSentinel !== undefined) {
    throw new Error('kv: give redisUrl or redisSentinel, not both');
  }
  let store: RedisKvStore;
  if (options.redisSentinel !== undefined) {
    store = new RedisKvStore({ sentinel: options.redisSentinel, ...settings });
  } else if (options.redisUrl !== undefined) {
    store = new RedisKvStore({ url: options.redisUrl, ...settings });
  } else {
    return new MemoryKvStore(settings);
  }
  if (!(await store.waitUntilReady(options.readyTimeoutMs))) {
    logger.warn('redis is not reachable yet; starting anyway and retrying in the background');
  }
  return store;
}

/** Closes the store once the app has stopped taking traffic. */
@Injectable()
class KvStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(KV_STORE) private readonly store: KvStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/**
 * Makes {@link KV_STORE} injectable everywhere. Global, so its shutdown hook runs after every
 * feature module's (Nest shuts global modules down last): nothing loses the store mid-hook.
 */
@Global()
@Module({})
export class KvModule {
  static forRoot(options: KvModuleOptions): DynamicModule {
    return {
      module: KvModule,
      providers: [{ provide: KV_STORE, useFactory: () => createKvStore(options) }, KvStoreCloser],
      exports: [KV_STORE],
    };
  }
}
