import type { KvStore } from './kv.port';

/**
 * Builds a store for the contract. Every call with the same `keyPrefix` must reach the SAME
 * backend (one Redis, or one shared MemoryKvBackend): the prefix-isolation test relies on it,
 * and checks it with a same-prefix control so a factory handing out private backends fails.
 */
export type KvStoreFactory = (keyPrefix: string) => Promise<KvStore>;

/**
 * The behaviour every {@link KvStore} adapter owes its callers, run by each adapter's spec
 * (memory as a unit test, Redis as a medium test) so both answer alike. Keys are unique per
 * test, so tests share one store; every store made here is closed in `afterAll`.
 */
export function kvContract(name: string, makeStore: KvStoreFactory): void {
  describe(`KvStore contract: ${name}`, () => {
    const opened: KvStore[] = [];
    let store: KvStore;

    const open = async (keyPrefix: string): Promise<KvStore> => {
      const made = await makeStore(keyPrefix);
      opened.push(made);
      return made;
    };

    beforeAll(async () => {
      store = await open('main:');
    });

    afterAll(async () => {
      await Promise.all(opened.map((made) => made.close()));
    });

    it('gets what was set, overwrites, and returns null for a missing key', async () => {
      expect(await store.get('value:missing')).toBeNull();
      await store.set('value:a', 'one');
      expect(await store.get('value:a')).toBe('one');
      await store.set('value:a', 'two');
      expect(await store.get('value:a')).toBe('two');
    });

    it('reports seconds left, and a plain set clears an earlier TTL', async () => {
      await store.set('ttl:a', 'v', 100);
      const left = await store.ttl('ttl:a');
      expect(left).toBeGreaterThanOrEqual(99);
      expect(left).toBeLessThanOrEqual(100);

      await store.set('ttl:a', 'w');
      expect(await store.ttl('ttl:a')).toBeNull();
      expect(await store.get('ttl:a')).toBe('w');
      expect(await store.ttl('ttl:missing')).toBeNull();
    });

    it('rejects TTLs that are not whole positive seconds, writing nothing', async () => {
      await expect(store.set('bad-ttl:a', 'v', 0)).rejects.toThrow(RangeError);
      await expect(store.set('bad-ttl:a', 'v', 1.5)).rejects.toThrow(RangeError);
      await expect(store.setIfAbsent('bad-ttl:a', 'v', -1)).rejects.toThrow(RangeError);
      expect(await store.getMany(['bad-ttl:a'])).toEqual([null]);
    });

    it('setIfAbsent sets only the first time, with its TTL', async () => {
      expect(await store.setIfAbsent('nx:a', 'first', 100)).toBe(true);
      expect(await store.setIfAbsent('nx:a', 'second', 100)).toBe(false);
      expect(await store.get('nx:a')).toBe('first');
      expect(await store.ttl('nx:a')).toBeGreaterThan(0);
    });

    it('deletes keys and counts only those that existed', async () => {
      await store.set('del:a', '1');
      await store.set('del:b', '2', 100);
      expect(await store.delete('del:a', 'del:b', 'del:missing')).toBe(2);
      expect(await store.get('del:a')).toBeNull();
      expect(await store.get('del:b')).toBeNull();
      expect(await store.delete()).toBe(0);
    });

    it('reads several keys at once, null for missing ones', async () => {
      await store.set('many:a', '1');
      await store.set('many:b', '2');
      expect(await store.getMany(['many:a', 'many:missing', 'many:b'])).toEqual(['1', null, '2']);
      expect(await store.getMany([])).toEqual([]);
    });

    it("expires keys and NX keys after their TTL (a real timer: the store's own)", async () => {
      await Promise.all([
        store.set('exp:value', 'v', 1),
        store.set('exp:forever', 'v'),
        store.setIfAbsent('exp:nx', 'v', 1),
      ]);
      await sleep(1100);

      expect(await store.get('exp:value')).toBeNull();
      expect(await store.ttl('exp:value')).toBeNull();
      expect(await store.get('exp:forever')).toBe('v');
      expect(await store.setIfAbsent('exp:nx', 'again', 100)).toBe(true);
    });

    it('delivers published messages, never synchronously inside publish()', async () => {
      const inbox = collect();
      await store.subscribe('ch:deliver', inbox.handler);
      const published = store.publish('ch:deliver', 'hello');
      expect(inbox.messages).toEqual([]);
      await published;
      await inbox.until(1);
      expect(inbox.messages).toEqual(['hello']);
    });

    it('keeps channels apart and stops delivery on unsubscribe', async () => {
      const a = collect();
      const b = collect();
      const unsubscribeA = await store.subscribe('ch:a', a.handler);
      await store.subscribe('ch:b', b.handler);

      await store.publish('ch:a', 'for-a');
      await store.publish('ch:b', 'for-b');
      await Promise.all([a.until(1), b.until(1)]);

      await unsubscribeA();
      await unsubscribeA(); // a second call is harmless
      await store.publish('ch:a', 'after-unsubscribe');
      // Published after, on the same store: once it arrives, the first one would have too.
      await store.publish('ch:b', 'barrier');
      await b.until(2);
      expect(a.messages).toEqual(['for-a']);
      expect(b.messages).toEqual(['for-b', 'barrier']);
    });

    it('counts subscriptions: one unsubscribe leaves the same handler subscribed once', async () => {
      const inbox = collect();
      const first = await store.subscribe('ch:twice', inbox.handler);
      await store.subscribe('ch:twice', inbox.handler);
      await store.publish('ch:twice', 'one');
      await inbox.until(2);

      await first();
      await store.publish('ch:twice', 'two');
      await store.publish('ch:twice', 'three');
      await inbox.until(4);
      expect(inbox.messages).toEqual(['one', 'one', 'two', 'three']);
    });

    it('isolates key prefixes on one backend: keys, NX keys and channels', async () => {
      const a = await open('iso-a:');
      const sameAsA = await open('iso-a:');
      const b = await open('iso-b:');

      await a.set('k', 'from-a');
      // Control: the factory really shares one backend, so isolation below is not free.
      expect(await sameAsA.get('k')).toBe('from-a');
      expect(await b.get('k')).toBeNull();
      await b.set('k', 'from-b');
      expect(await a.get('k')).toBe('from-a');
      expect(await b.delete('k')).toBe(1);
      expect(await a.get('k')).toBe('from-a');

      await a.setIfAbsent('nx', 'a', 100);
      expect(await b.setIfAbsent('nx', 'b', 100)).toBe(true);
      expect(await sameAsA.get('nx')).toBe('a');

      const inA = collect();
      const inSameAsA = collect();
      const inB = collect();
      await a.subscribe('ch', inA.handler);
      await sameAsA.subscribe('ch', inSameAsA.handler);
      await b.subscribe('ch', inB.handler);
      await a.publish('ch', 'from-a');
      await b.publish('ch', 'from-b');
      await a.publish('ch', 'end-a');
      await Promise.all([inA.until(2), inSameAsA.until(2), inB.until(1)]);
      expect(inA.messages).toEqual(['from-a', 'end-a']);
      expect(inSameAsA.messages).toEqual(['from-a', 'end-a']);
      expect(inB.messages).toEqual(['from-b']);
    });

    it('answers ping, and rejects calls once closed', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
      const closing = await open('closing:');
      await closing.set('k', 'v');
      await closing.close();
      await closing.close(); // idempotent
      await expect(closing.get('k')).rejects.toThrow();
      await expect(closing.ping()).rejects.toThrow();
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Records messages; `until(n)` waits for the n-th, failing after 3 s instead of hanging. */
function collect(): {
  messages: string[];
  handler: (message: string) => void;
  until: (count: number) => Promise<void>;
} {
  const messages: string[] = [];
  return {
    messages,
    handler: (message) => messages.push(message),
    until: async (count) => {
      const deadline = Date.now() + 3_000;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} message(s), got ${JSON.stringify(messages)}`);
        }
        await sleep(5);
      }
    },
  };
}
