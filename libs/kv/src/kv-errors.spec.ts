import { createServer } from 'node:net';
import Redis, { type RedisOptions } from 'ioredis';
import { isKvUnavailable } from './kv-errors';

/** A loopback port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

describe('isKvUnavailable', () => {
  const clients: Redis[] = [];
  afterEach(() => {
    for (const c of clients.splice(0)) c.disconnect();
  });
  const client = async (options: RedisOptions) => {
    const c = new Redis(await closedPort(), '127.0.0.1', {
      lazyConnect: false,
      retryStrategy: () => 50,
      ...options,
    });
    c.on('error', () => undefined);
    clients.push(c);
    return c;
  };

  it('recognises a command refused while disconnected (no offline queue), as the kv store runs', async () => {
    const c = await client({ enableOfflineQueue: false });
    const err = await c.get('k').catch((e: unknown) => e);
    expect(isKvUnavailable(err)).toBe(true);
  });

  it('recognises a command given up after the reconnect retries', async () => {
    const c = await client({ enableOfflineQueue: true, maxRetriesPerRequest: 0 });
    const err = await c.get('k').catch((e: unknown) => e);
    expect((err as Error).name).toBe('MaxRetriesPerRequestError');
    expect(isKvUnavailable(err)).toBe(true);
  });

  it('recognises a closed connection and a timeout, also as a cause', () => {
    expect(isKvUnavailable(new Error('Connection is closed.'))).toBe(true);
    expect(isKvUnavailable(new Error('Command timed out'))).toBe(true);
    expect(isKvUnavailable(new Error('x', { cause: new Error('Connection is closed.') }))).toBe(
      true,
    );
  });

  it('recognises the answers of a node in the middle of a failover', () => {
    expect(
      isKvUnavailable(new Error("READONLY You can't write against a read only replica.")),
    ).toBe(true);
    expect(isKvUnavailable(new Error('LOADING Redis is loading the dataset in memory'))).toBe(true);
  });

  it('does not take a failed command for an outage', () => {
    const wrongType = new Error(
      'WRONGTYPE Operation against a key holding the wrong kind of value',
    );
    expect(isKvUnavailable(wrongType)).toBe(false);
    expect(isKvUnavailable(new Error('boom'))).toBe(false);
    expect(isKvUnavailable(undefined)).toBe(false);
  });
});
