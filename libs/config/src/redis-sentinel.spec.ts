import { ConfigError, loadConfig } from './config';
import { parseSentinelAddress, parseSentinelUrl } from './redis-sentinel';

const secret32 = Buffer.alloc(32, 7).toString('base64');
const prodEnv = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u@db:5432/identity',
  PASSWORD_PEPPER: secret32,
  KEY_ENCRYPTION_KEY: secret32,
  SMTP_URL: 'smtp://mail:25',
  APP_URL: 'https://id.example.com',
  GRPC_INSECURE: 'true',
};

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.join('\n');
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('Redis Sentinel settings', () => {
  it('reads REDIS_SENTINELS and REDIS_SENTINEL_NAME, with both passwords', () => {
    const c = loadConfig({
      REDIS_SENTINELS: 'sentinel-a:26379, sentinel-b:26380,[::1]:26381,sentinel-c',
      REDIS_SENTINEL_NAME: 'identity',
      REDIS_SENTINEL_PASSWORD: 's-pw',
      REDIS_PASSWORD: 'd-pw',
    });
    expect(c.redis.url).toBeUndefined();
    expect(c.redis.sentinel).toEqual({
      sentinels: [
        { host: 'sentinel-a', port: 26379 },
        { host: 'sentinel-b', port: 26380 },
        { host: '::1', port: 26381 },
        { host: 'sentinel-c', port: 26379 },
      ],
      name: 'identity',
      sentinelPassword: 's-pw',
      password: 'd-pw',
      tls: false,
    });
  });

  it('reads the redis+sentinel:// URL form, credentials and db included', () => {
    const c = loadConfig({
      REDIS_URL: 'rediss+sentinel://app:p%40ss@s1:26379,s2:26379/identity/2',
      REDIS_SENTINEL_PASSWORD: 's-pw',
    });
    expect(c.redis.url).toBeUndefined();
    expect(c.redis.sentinel).toEqual({
      sentinels: [
        { host: 's1', port: 26379 },
        { host: 's2', port: 26379 },
      ],
      name: 'identity',
      username: 'app',
      password: 'p@ss',
      db: 2,
      tls: true,
      sentinelPassword: 's-pw',
    });
  });

  it('keeps a plain redis:// URL a direct connection', () => {
    const c = loadConfig({ REDIS_URL: 'redis://cache:6379' });
    expect(c.redis.url).toBe('redis://cache:6379');
    expect(c.redis.sentinel).toBeUndefined();
  });

  it('accepts Sentinels in production instead of REDIS_URL', () => {
    const c = loadConfig({ ...prodEnv, REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: 'm' });
    expect(c.redis.sentinel?.name).toBe('m');
    expect(problemsOf(prodEnv)).toMatch(/REDIS_URL.*required in production/);
  });

  it('lists every inconsistency at once', () => {
    const problems = problemsOf({
      REDIS_URL: 'redis://cache:6379',
      REDIS_SENTINELS: 'ok:1,bad host:x',
    });
    expect(problems).toMatch(/REDIS_SENTINELS.*contradicts REDIS_URL/);
    expect(problems).toMatch(/REDIS_SENTINEL_NAME.*required with REDIS_SENTINELS/);
    expect(problems).toMatch(/"bad host:x" is not host:port/);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'm' })).toMatch(/needs REDIS_SENTINELS/);
    expect(problemsOf({ REDIS_PASSWORD: 'x' })).toMatch(/REDIS_PASSWORD/);
  });

  it('refuses a malformed Sentinel URL without echoing its credentials', () => {
    const problems = problemsOf({ REDIS_URL: 'redis+sentinel://u:hunter2@s1:26379' });
    expect(problems).toMatch(/REDIS_URL.*redis\+sentinel:\/\/host:port/);
    expect(problems).not.toContain('hunter2');
    expect(problemsOf({ REDIS_URL: 'memcached://x' })).toMatch(/REDIS_URL/);
  });
});

describe('parseSentinelAddress / parseSentinelUrl', () => {
  it('rejects ports out of range and empty hosts', () => {
    expect(() => parseSentinelAddress('s:0')).toThrow(/host:port/);
    expect(() => parseSentinelAddress('s:70000')).toThrow(/host:port/);
    expect(() => parseSentinelAddress(':26379')).toThrow(/host:port/);
  });

  it('takes a password-only userinfo as the data nodes password', () => {
    expect(parseSentinelUrl('redis+sentinel://:pw@127.0.0.1:26379/m')).toEqual({
      sentinels: [{ host: '127.0.0.1', port: 26379 }],
      name: 'm',
      password: 'pw',
      tls: false,
    });
  });
});
