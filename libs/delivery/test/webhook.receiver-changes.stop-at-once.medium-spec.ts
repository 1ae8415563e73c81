/**
 * An operator who disables or deletes a receiver (a compromised SIEM endpoint, a URL handed
 * to someone else) must be able to rely on it getting nothing more, from any instance, at
 * once: not the deliveries already pending for it, and not the events other instances are
 * writing at that very moment. Likewise a new receiver, or a new subscription, must get the
 * next event whichever instance writes it (each instance keeps the receiver list in memory,
 * so a change on one must reach the others before the admin request answers).
 *
 * Two instances share Postgres and a Redis prefix; changes are made on A, events on B.
 */
import { Client } from 'pg';
import { EventBus } from '@identity/audit';
import {
  RECEIVER_DISABLED_ERROR,
  WebhookDeliveryService,
  WebhookEndpointService,
} from '@identity/delivery';
import {
  createTestDatabase,
  type TestDatabase,
  uniqueKvPrefix,
  WebhookReceiver,
} from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const USER = '00000000-0000-4000-8000-0000000000c1';

describe('receiver changes take effect at once, on every instance', () => {
  let db: TestDatabase;
  let a: DeliveryApp;
  let b: DeliveryApp;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    db = await createTestDatabase('webhook_receiver_changes');
    await receiver.start();
    const kvPrefix = uniqueKvPrefix('webhook_changes');
    const start = () => startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 60_000, kvPrefix });
    [a, b] = await Promise.all([start(), start()]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await receiver.stop();
    await db?.drop();
  });

  const registry = (app: DeliveryApp) => app.module.get(WebhookEndpointService);
  const emitOn = (app: DeliveryApp, type: 'user.locked' | 'user.unlocked' = 'user.locked') =>
    app.db.withTransaction((tx) =>
      app.module.get(EventBus).emit(tx, type, { userId: USER, actorId: ADMIN }),
    );
  const rowsOf = async (endpointId: string) =>
    a.db.query<{ delivery_id: string; dead_at: Date | null; last_error: string | null }>(
      `SELECT delivery_id, dead_at, last_error FROM outbox WHERE endpoint_id = $1 ORDER BY id`,
      [endpointId],
    );
  /** Both workers, with everything pending made due: whatever may be sent, is. */
  const drainBoth = async () => {
    await a.db.execute(`UPDATE outbox SET next_attempt_at = now() - interval '1 second'
                         WHERE delivered_at IS NULL AND dead_at IS NULL`);
    await Promise.all([a.worker.runOnce(), b.worker.runOnce()]);
  };
  const create = (events: ('user.locked' | 'user.unlocked')[] = ['user.locked']) =>
    registry(a).create({ url: receiver.url(), events, actorId: ADMIN });

  it('a receiver created on A gets the next event written on B', async () => {
    await emitOn(b); // B now holds a list without receivers
    const endpoint = await create();
    await emitOn(b);
    await b.worker.runOnce();
    expect(await receiver.waitFor(1)).toHaveLength(1);
    expect(await rowsOf(endpoint.id)).toHaveLength(1);
    await registry(a).delete(endpoint.id, ADMIN);
  });

  it('disabled on A: pending deliveries die, B writes no more, nothing is sent', async () => {
    const endpoint = await create();
    receiver.replyAlways({ status: 500 });
    const sent = receiver.requests.length;
    await emitOn(b);
    await b.worker.runOnce(); // attempt 1 fails: pending, retried later
    await emitOn(b); // waits behind it (same user)
    expect(receiver.requests.length).toBe(sent + 1);

    await registry(a).update(endpoint.id, { enabled: false }, ADMIN);
    const rows = await rowsOf(endpoint.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.dead_at).toBeInstanceOf(Date);
      expect(row.last_error).toBe(RECEIVER_DISABLED_ERROR);
    }
    await emitOn(b);
    expect(await rowsOf(endpoint.id)).toHaveLength(2);
    receiver.replyAlways({ status: 204 });
    await drainBoth();
    expect(receiver.requests.length).toBe(sent + 1);
    await expect(
      b.module.get(WebhookDeliveryService).sendTest(endpoint.id, ADMIN),
    ).rejects.toMatchObject({ code: 'webhook.disabled' });

    // Enabled again (on A), it gets B's next event; the ones given up on stay dead.
    await registry(a).update(endpoint.id, { enabled: true }, ADMIN);
    await emitOn(b);
    await b.worker.runOnce();
    await receiver.waitFor(sent + 2);
    expect((await rowsOf(endpoint.id)).filter((r) => r.dead_at === null)).toHaveLength(1);
    await registry(a).delete(endpoint.id, ADMIN);
  });

  it('a disable waits for an event being written on B, and gives up on its delivery', async () => {
    const endpoint = await create();
    receiver.replyAlways({ status: 500 });
    let commit!: () => void;
    const gate = new Promise<void>((resolve) => (commit = resolve));
    let emitted!: () => void;
    const inside = new Promise<void>((resolve) => (emitted = resolve));
    const writing = b.db.withTransaction(async (tx) => {
      await b.module.get(EventBus).emit(tx, 'user.locked', { userId: USER, actorId: ADMIN });
      emitted();
      await gate;
    });
    await inside;
    let disabled = false;
    const disabling = registry(a)
      .update(endpoint.id, { enabled: false }, ADMIN)
      .then(() => (disabled = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(disabled).toBe(false); // held by B's transaction, which holds a share lock
    commit();
    await Promise.all([writing, disabling]);
    const sent = receiver.requests.length;
    const [row] = await rowsOf(endpoint.id);
    expect(row?.dead_at).toBeInstanceOf(Date);
    await drainBoth();
    expect(receiver.requests.length).toBe(sent);
    await registry(a).delete(endpoint.id, ADMIN);
  });

  it('an event written while a disable holds the receiver gets no delivery', async () => {
    const endpoint = await create();
    // The disable's own statements, held open on a connection of their own.
    const admin = new Client({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query('BEGIN');
      await admin.query('SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE', [endpoint.id]);
      await admin.query('UPDATE webhook_endpoints SET enabled = false WHERE id = $1', [
        endpoint.id,
      ]);
      let written = false;
      const writing = emitOn(b).then(() => (written = true));
      await new Promise((r) => setTimeout(r, 200));
      expect(written).toBe(false); // the fan-out waits for the change...
      await admin.query('COMMIT');
      await writing;
      expect(await rowsOf(endpoint.id)).toEqual([]); // ...and then sees it
    } finally {
      await admin.end();
    }
    await registry(a).delete(endpoint.id, ADMIN);
  });

  it('deleted on A: pending deliveries are dropped, nothing more is sent', async () => {
    const endpoint = await create();
    receiver.replyAlways({ status: 503 });
    await emitOn(b);
    await b.worker.runOnce();
    expect(await rowsOf(endpoint.id)).toHaveLength(1);
    const sent = receiver.requests.length;

    await registry(a).delete(endpoint.id, ADMIN);
    expect(await rowsOf(endpoint.id)).toEqual([]);
    await emitOn(b);
    receiver.replyAlways({ status: 204 });
    await drainBoth();
    expect(receiver.requests.length).toBe(sent);
  });

  it('events changed on A: B stops writing the dropped type at once', async () => {
    const endpoint = await create(['user.locked']);
    receiver.replyAlways({ status: 204 });
    await registry(a).update(endpoint.id, { events: ['user.unlocked'] }, ADMIN);
    await emitOn(b, 'user.locked');
    expect(await rowsOf(endpoint.id)).toEqual([]);
    const sent = receiver.requests.length;
    await emitOn(b, 'user.unlocked');
    await b.worker.runOnce();
    const [last] = (await receiver.waitFor(sent + 1)).slice(sent);
    expect(JSON.parse(last!.body)).toMatchObject({ type: 'user.unlocked' });
    await registry(a).delete(endpoint.id, ADMIN);
  });
});
