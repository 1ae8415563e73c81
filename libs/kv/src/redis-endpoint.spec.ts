import type { Redis } from 'ioredis';
import { openRedisConnection, reconnectOnReadonly } from './redis-endpoint';

describe('openRedisConnection', () => {
  const opened: Redis[] = [];
  afterEach(() => {
    for (const c of opened.splice(0)) c.disconnect();
  });
  const open = (...args: Parameters<typeof openRedisConnection>) => {
    const c = openRedisConnection(args[0], { lazyConnect: true, ...args[1] });
    opened.push(c);
    return c;
  };

  it('builds a Sentinel client that asks for the primary and watches for failovers', () => {
    const c = open(
      {
        sentinel: {
          sentinels: [
            { host: '127.0.0.1', port: 26379 },
            { host: '::1', port: 26380 },
          ],
          name: 'identity',
          sentinelPassword: 'sentinel-secret',
          password: 'data-secret',
          db: 2,
        },
      },
      { keyPrefix: 'idp:', connectTimeout: 1_500 },
    );
    expect(c.options).toMatchObject({
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: '::1', port: 26380 },
      ],
      name: 'identity',
      role: 'master',
      failoverDetector: true,
      sentinelPassword: 'sentinel-secret',
      password: 'data-secret',
      db: 2,
      keyPrefix: 'idp:',
      sentinelCommandTimeout: 1_500,
    });
    expect(c.options.reconnectOnError).toBe(reconnectOnReadonly);
    expect(c.options.tls).toBeUndefined();
  });

  it('turns TLS on for the data nodes and the Sentinels together', () => {
    const c = open(
      { sentinel: { sentinels: [{ host: 'localhost', port: 26379 }], name: 'm', tls: true } },
      {},
    );
    expect(c.options.tls).toEqual({});
    expect(c.options.enableTLSForSentinelMode).toBe(true);
  });

  it('builds a direct client from a URL, also reconnecting on READONLY', () => {
    const c = open({ url: 'redis://:pw@127.0.0.1:6390/3' }, {});
    expect(c.options).toMatchObject({ host: '127.0.0.1', port: 6390, password: 'pw', db: 3 });
    expect(c.options.sentinels).toBeFalsy();
    expect(c.options.reconnectOnError).toBe(reconnectOnReadonly);
  });
});

describe('reconnectOnReadonly', () => {
  it('reconnects (and resends) on READONLY only', () => {
    expect(
      reconnectOnReadonly(new Error("READONLY You can't write against a read only replica.")),
    ).toBe(2);
    expect(reconnectOnReadonly(new Error('WRONGTYPE Operation against a key'))).toBe(false);
    expect(reconnectOnReadonly(new Error('ERR unknown command'))).toBe(false);
  });
});
