export { loadConfig, ConfigError, type AppConfig, type SigningAlg } from './config';
export { DEV_KEY_ENCRYPTION_KEY, DEV_PASSWORD_PEPPER } from './config.schema';
export { ConfigModule, APP_CONFIG, InjectConfig } from './config.module';
export type { RedisSentinelConfig, SentinelAddress } from './redis-sentinel';
