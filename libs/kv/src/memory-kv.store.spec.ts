import { kvContract } from './kv.contract';
import { MemoryKvBackend } from './memory-kv.backend';
import { MemoryKvStore } from './memory-kv.store';

// One backend for the file: stores with the same prefix see each other, as on one Redis.
const backend = new MemoryKvBackend();
kvContract('memory', (keyPrefix) => Promise.resolve(new MemoryKvStore({ keyPrefix, backend })));

describe('MemoryKvStore', () => {
  it('reports a throwing handler and still delivers to the others', async () => {
    const errors: Error[] = [];
    const store = new MemoryKvStore({ onError: (err) => errors.push(err) });
    try {
      const received: string[] = [];
      await store.subscribe('ch', () => {
        throw new Error('handler broke');
      });
      await store.subscribe('ch', (message) => received.push(message));
      await store.publish('ch', 'hello');
      await new Promise((resolve) => setImmediate(resolve));
      expect(received).toEqual(['hello']);
      expect(errors.map((err) => err.message)).toEqual(['handler broke']);
    } finally {
      await store.close();
    }
  });

  it('sweeps expired entries nobody reads again', () => {
    const sweeper = new MemoryKvBackend();
    sweeper.set('a', 'v', 1);
    sweeper.set('b', 'v');
    sweeper.sweep(Date.now() + 1_001);
    // The real clock has not moved, so without the sweep 'a' would still be live here.
    expect(sweeper.delete(['a', 'b'])).toBe(1);
  });
});
