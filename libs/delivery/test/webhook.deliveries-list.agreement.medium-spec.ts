/**
 * What operators see of a receiver's deliveries must be what the worker does with them: the
 * `status` filter is a SQL condition and the `status` field a TypeScript function of the same
 * columns, so both are pinned here on deliveries in every state (pending, delivered, failed,
 * dead), and keyset paging must list each delivery exactly once, newest first.
 */
import { EventBus } from '@identity/audit';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_MAX_ATTEMPTS,
  WebhookDeliveryService,
  WebhookEndpointService,
} from '@identity/delivery';
import {
  createTestDatabase,
  ManualClock,
  type TestDatabase,
  WebhookReceiver,
} from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const user = (n: number) => `00000000-0000-4000-8000-0000000002${String(n).padStart(2, '0')}`;

describe('the deliveries list agrees with the worker', () => {
  let db: TestDatabase;
  let app: DeliveryApp;
  let endpointId: string;
  const clock = new ManualClock();
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    db = await createTestDatabase('webhook_deliveries_list');
    await receiver.start();
    app = await startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 60_000, clock });
    endpointId = (
      await app.module
        .get(WebhookEndpointService)
        .create({ url: receiver.url(), events: ['user.locked'], actorId: ADMIN })
    ).id;
  });
  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await db?.drop();
  });

  const lock = (userId: string) =>
    app.db.withTransaction((tx) =>
      app.module.get(EventBus).emit(tx, 'user.locked', { userId, actorId: ADMIN }),
    );
  const service = () => app.module.get(WebhookDeliveryService);

  it('lists each state under its own filter and pages through all of them once', async () => {
    await lock(user(1)); // delivered
    await app.worker.runOnce();
    receiver.replyNext(...Array.from({ length: WEBHOOK_MAX_ATTEMPTS }, () => ({ status: 500 })));
    await lock(user(2)); // dead
    for (let i = 0; i < WEBHOOK_MAX_ATTEMPTS; i++) {
      await app.worker.runOnce();
      clock.advance(3600);
    }
    receiver.replyNext({ status: 502 });
    await lock(user(3)); // failed
    await app.worker.runOnce();
    await lock(user(3)); // pending, behind the failed one
    await lock(user(4)); // delivered
    await app.worker.runOnce();

    const all = (await service().list(endpointId, { limit: 100 })).items;
    expect(all.map((d) => d.status)).toEqual([
      'delivered',
      'pending',
      'failed',
      'dead',
      'delivered',
    ]);
    for (const status of WEBHOOK_DELIVERY_STATUSES) {
      const listed = (await service().list(endpointId, { status, limit: 100 })).items;
      expect(listed.map((d) => d.id)).toEqual(
        all.filter((d) => d.status === status).map((d) => d.id),
      );
    }
    const failed = all[2]!;
    expect(failed).toMatchObject({ attempts: 1, lastStatusCode: 502, lastError: 'HTTP 502' });
    expect(failed.nextAttemptAt).toBeInstanceOf(Date);
    expect(all[3]).toMatchObject({ attempts: WEBHOOK_MAX_ATTEMPTS, nextAttemptAt: null });
    expect(all[0]).toMatchObject({ attempts: 1, lastStatusCode: 204, nextAttemptAt: null });
    expect(all[0]!.deliveredAt).toBeInstanceOf(Date);

    const paged: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { items, nextBefore } = await service().list(endpointId, { before, limit: 2 });
      paged.push(...items.map((d) => d.id));
      if (!nextBefore) break;
      before = nextBefore;
    }
    expect(paged).toEqual(all.map((d) => d.id));
  });

  it('answers not_found for an unknown receiver', async () => {
    await expect(service().list('00000000-0000-4000-8000-0000000000ff', {})).rejects.toMatchObject({
      code: 'webhook.not_found',
    });
  });
});
