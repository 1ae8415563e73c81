export { KV_STORE, type KvStore } from './kv.port';
export { MemoryKvStore, type MemoryKvStoreOptions } from './memory-kv.store';
export { MemoryKvBackend } from './memory-kv.backend';
export {
  RedisKvStore,
  type RedisKvStoreOptions,
  type RedisKvStoreSettings,
} from './redis-kv.store';
export {
  openRedisConnection,
  type RedisEndpoint,
  type RedisSentinelEndpoint,
} from './redis-endpoint';
export {
  KvModule,
  createKvStore,
  type KvModuleOptions,
  type CreateKvStoreOptions,
} from './kv.module';
export { isKvUnavailable } from './kv-errors';
export { ChangeBroadcast } from './change-broadcast';
