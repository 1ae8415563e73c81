import { Test } from '@nestjs/testing';
import { KvModule } from './kv.module';
import { KV_STORE, type KvStore } from './kv.port';

describe('KvModule', () => {
  it('provides the memory store without a Redis URL, and closes it on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [KvModule.forRoot({ keyPrefix: 'module:' })],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const store = app.get<KvStore>(KV_STORE);
    expect(store.kind).toBe('memory');
    await store.set('k', 'v');

    await app.close();
    await expect(store.get('k')).rejects.toThrow(/closed/);
  });
});
