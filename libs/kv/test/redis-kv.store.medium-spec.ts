import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Test } from '@nestjs/testing';
import Redis from 'ioredis';
import { TEST_REDIS_URL, uniqueKvPrefix } from '../../../test/support/kv';
import { createKvStore, KvModule } from '../src/kv.module';
import { kvContract } from '../src/kv.contract';
import { KV_STORE, type KvStore } from '../src/kv.port';
import { RedisKvStore } from '../src/redis-kv.store';
import { ThrowawayRedis } from '../../../test/support/throwaway-redis';

// Unique per file (and run), so parallel workers never collide and cleanup is one SCAN.
const prefix = uniqueKvPrefix('kv');

kvContract('redis', (keyPrefix) =>
  createKvStore({ redisUrl: TEST_REDIS_URL, keyPrefix: `${prefix}${keyPrefix}` }),
);

describe('RedisKvStore', () => {
  it('reports a throwing handler and still delivers to the others', async () => {
    const errors: Error[] = [];
    const store = new RedisKvStore({
      url: TEST_REDIS_URL,
      keyPrefix: `${prefix}handler:`,
      onError: (err) => errors.push(err),
    });
    try {
      await store.waitUntilReady();
      const received: string[] = [];
      await store.subscribe('ch', () => {
        throw new Error('handler broke');
      });
      await store.subscribe('ch', (message) => received.push(message));
      await store.publish('ch', 'hello');
      await waitUntil(() => received.length > 0);
      expect(received).toEqual(['hello']);
      expect(errors.map((err) => err.message)).toEqual(['handler broke']);
      // The subscriber connection survived the throw.
      await store.publish('ch', 'again');
      await waitUntil(() => received.length > 1);
    } finally {
      await store.close();
    }
  });

  it('tells its listeners once per dropped connection, not per failed reconnect, not on close()', async () => {
    const redis = await ThrowawayRedis.start();
    const store = new RedisKvStore({ url: redis.url, keyPrefix: 'lost:', onError: () => {} });
    let drops = 0;
    const stop = store.onConnectionLost(() => drops++);
    try {
      expect(await store.waitUntilReady()).toBe(true);
      await redis.kill();
      await waitUntil(() => drops === 1);
      // Reconnect attempts keep failing meanwhile (100 ms apart): still one drop.
      await new Promise((r) => setTimeout(r, 600));
      expect(drops).toBe(1);
      await redis.start();
      expect(await store.waitUntilReady(5_000)).toBe(true);
      await redis.kill();
      await waitUntil(() => drops === 2);
      await redis.start();
      expect(await store.waitUntilReady(5_000)).toBe(true);
      stop();
      await redis.kill();
      await redis.start();
      expect(await store.waitUntilReady(5_000)).toBe(true);
      expect(drops).toBe(2);
      const again = store.onConnectionLost(() => drops++);
      await store.close();
      again();
      expect(drops).toBe(2);
    } finally {
      await store.close();
      await redis.kill();
    }
  });

  it('prefixes keys with the client, and duplicate() connects unprefixed', async () => {
    const store = await createKvStore({ redisUrl: TEST_REDIS_URL, keyPrefix: `${prefix}raw:` });
    const raw = (store as RedisKvStore).duplicate();
    try {
      // Same fail-fast options as the store: nothing is queued before the connection is up.
      if (raw.status !== 'ready') await once(raw, 'ready');
      await store.set('k', 'v');
      expect(await raw.get(`${prefix}raw:k`)).toBe('v');
      expect(await raw.get('k')).toBeNull();
      expect(await (store as RedisKvStore).client.get('k')).toBe('v');
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  it('KvModule provides the Redis store when given a URL, and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [KvModule.forRoot({ redisUrl: TEST_REDIS_URL, keyPrefix: `${prefix}module:` })],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    const store = app.get<KvStore>(KV_STORE);
    expect(store.kind).toBe('redis');
    await expect(store.ping()).resolves.toBeUndefined();

    await app.close();
    expect((store as RedisKvStore).client.status).toBe('end');
  });

  describe('with Redis unreachable', () => {
    // Loopback port 1: nothing listens there, so every connect is refused at once.
    const deadUrl = 'redis://127.0.0.1:1';

    it('keeps running: ping rejects fast, errors go to onError, close does not hang', async () => {
      const errors: Error[] = [];
      const consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const store = new RedisKvStore({
        url: deadUrl,
        keyPrefix: `${prefix}dead:`,
        onError: (err) => errors.push(err),
      });
      try {
        const started = Date.now();
        await expect(store.ping()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(1_500);
        await expect(store.get('k')).rejects.toThrow();
        await expect(store.subscribe('ch', () => undefined)).rejects.toThrow();

        await waitUntil(() => errors.length > 0);
        expect(errors[0]?.message).toMatch(/ECONNREFUSED/);
        // ioredis prints "[ioredis] Unhandled error event" when no listener is attached.
        expect(consoleError).not.toHaveBeenCalled();
      } finally {
        const closing = Date.now();
        await store.close();
        expect(Date.now() - closing).toBeLessThan(1_500);
        consoleError.mockRestore();
      }
    });

    it('createKvStore still returns a store after a bounded wait', async () => {
      const store = await createKvStore({
        redisUrl: deadUrl,
        keyPrefix: `${prefix}dead:`,
        onError: () => undefined,
        readyTimeoutMs: 300,
      });
      try {
        expect(store.kind).toBe('redis');
        await expect(store.ping()).rejects.toThrow();
      } finally {
        await store.close();
      }
    });

    it('ping rejects within 1.5 s and close() returns when a connected Redis hangs', async () => {
      // A Redis that completes the handshake, then stops answering (a stalled process or a
      // partition). The connection is "ready", so only ping()'s own timer can notice.
      const hung = await startHungRedis();
      const store = new RedisKvStore({
        url: `redis://127.0.0.1:${hung.port}`,
        keyPrefix: `${prefix}hung:`,
        onError: () => undefined,
      });
      try {
        expect(await store.waitUntilReady()).toBe(true);
        const started = Date.now();
        await expect(store.ping()).rejects.toThrow(/did not answer/);
        expect(Date.now() - started).toBeLessThan(1_500);
      } finally {
        const closing = Date.now();
        await store.close(); // QUIT gets no answer either
        expect(Date.now() - closing).toBeLessThan(2_000);
        await hung.stop();
      }
    });
  });
});

afterAll(async () => {
  // Everything this file wrote lives under its prefix.
  const cleaner = new Redis(TEST_REDIS_URL);
  try {
    for await (const keys of cleaner.scanStream({ match: `${prefix}*`, count: 500 })) {
      const batch = keys as string[];
      if (batch.length > 0) await cleaner.del(...batch);
    }
  } finally {
    await cleaner.quit();
  }
});

async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * A loopback TCP server speaking just enough RESP to get ioredis through its handshake
 * (INFO ready check, CLIENT SETINFO), then answering nothing at all.
 */
const INFO = '# Server\r\nloading:0\r\n';

async function startHungRedis(): Promise<{ port: number; stop: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let pending = '';
    socket.on('data', (chunk: Buffer) => {
      pending += chunk.toString('latin1');
      // Each command is an array of bulk strings: *<n>\r\n$<len>\r\n<name>\r\n...
      for (const match of pending.matchAll(/\*\d+\r\n\$\d+\r\n([A-Za-z]+)\r\n/g)) {
        const command = match[1]?.toLowerCase();
        if (command === 'info') socket.write(`$${INFO.length}\r\n${INFO}\r\n`);
        else if (command === 'client') socket.write('+OK\r\n');
      }
      pending = '';
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    port: address.port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}
