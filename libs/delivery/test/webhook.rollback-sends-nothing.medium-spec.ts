/**
 * A webhook reports a change that happened. If the change rolls back (a failed write after
 * the event, a refused step), no receiver may hear of it: a SIEM would record a sign-in, a
 * lock or a role change that never took effect. The delivery is written in the emitting
 * transaction, so it rolls back with it; and nothing is sent before the commit.
 */
import { EventBus } from '@identity/audit';
import { WebhookEndpointService } from '@identity/delivery';
import { createTestDatabase, type TestDatabase, WebhookReceiver } from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const USER = '00000000-0000-4000-8000-0000000000d1';

describe('a rolled-back change sends nothing', () => {
  let db: TestDatabase;
  let app: DeliveryApp;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    db = await createTestDatabase('webhook_rollback');
    await receiver.start();
    app = await startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 60_000 });
    await app.module
      .get(WebhookEndpointService)
      .create({ url: receiver.url(), events: ['*'], actorId: ADMIN });
  });
  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await db?.drop();
  });

  const count = async () =>
    (
      await app.db.one<{ n: number }>(
        `SELECT count(*)::int AS n FROM outbox WHERE kind = 'webhook'`,
      )
    )?.n;

  it('writes nothing and sends nothing when the transaction rolls back', async () => {
    const bus = app.module.get(EventBus);
    await expect(
      app.db.withTransaction(async (tx) => {
        await bus.emit(tx, 'user.locked', { userId: USER, actorId: ADMIN });
        await bus.emit(tx, 'session.revoked', {
          userId: USER,
          scope: 'user',
          reason: 'account_locked',
          sessionIds: [],
        });
        expect(
          await app.db.one(`SELECT 1 FROM outbox WHERE kind = 'webhook'`, [], tx),
        ).not.toBeNull();
        await new Promise((r) => setTimeout(r, 50)); // the worker runs meanwhile: sees nothing
        throw new Error('the change failed after its events');
      }),
    ).rejects.toThrow('the change failed');
    await app.worker.runOnce();
    expect(await count()).toBe(0);
    expect(receiver.requests).toHaveLength(0);

    // The same events, committed, are sent.
    await app.db.withTransaction((tx) =>
      bus.emit(tx, 'user.locked', { userId: USER, actorId: ADMIN }),
    );
    await app.worker.runOnce();
    expect(await receiver.waitFor(1)).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({ type: 'user.locked' });
  });
});
