/**
 * Scale-out: several instances drain the same outbox, and a receiver must get each delivery
 * once from them (a SIEM deduplicates by `webhook-id`, but a double send would still count
 * twice in anything that does not), never one delivery from two instances at the same time,
 * and each user's events still in order, whichever instance sends them.
 */
import { EventBus } from '@identity/audit';
import { WebhookEndpointService } from '@identity/delivery';
import {
  createTestDatabase,
  type TestDatabase,
  uniqueKvPrefix,
  WebhookReceiver,
} from '@identity/testing';
import { type DeliveryApp, eventually, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const USERS = Array.from(
  { length: 8 },
  (_, i) => `00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`,
);

describe('two instances, one outbox', () => {
  let db: TestDatabase;
  let a: DeliveryApp;
  let b: DeliveryApp;
  // A slow receiver keeps each instance busy with its batch while the other one claims.
  const receiver = new WebhookReceiver().replyAlways({ status: 204, delayMs: 30 });

  beforeAll(async () => {
    db = await createTestDatabase('webhook_two_instances');
    await receiver.start();
    const kvPrefix = uniqueKvPrefix('webhook_two');
    const start = () => startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 20, kvPrefix });
    [a, b] = await Promise.all([start(), start()]);
    await a.module
      .get(WebhookEndpointService)
      .create({ url: receiver.url(), events: ['user.roles_changed'], actorId: ADMIN });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await receiver.stop();
    await db?.drop();
  });

  it('sends each of 80 deliveries exactly once, each user’s in order', async () => {
    // Some first attempts fail: a delivery retried later must still not be overtaken.
    receiver.replyNext(...Array.from({ length: 6 }, () => ({ status: 503 })));
    // Each user's ten changes commit together, so both instances find all ten due at once:
    // only the order rule keeps them from sending a user's changes side by side.
    const emitted: { user: string; n: number }[] = [];
    await Promise.all(
      USERS.map((user, i) => {
        const app = i % 2 === 0 ? a : b;
        return app.db.withTransaction(async (tx) => {
          for (let n = 0; n < 10; n++) {
            emitted.push({ user, n });
            await app.module
              .get(EventBus)
              .emit(tx, 'user.roles_changed', { userId: user, roles: [`r${n}`], actorId: ADMIN });
          }
        });
      }),
    );
    // Retries are due after ~5 s: move them forward instead of waiting, until all are in.
    await eventually(
      async () => {
        await a.db.execute(`UPDATE outbox SET next_attempt_at = now()
                             WHERE delivered_at IS NULL AND dead_at IS NULL`);
        const row = await a.db.one<{ n: number }>(
          `SELECT count(*)::int AS n FROM outbox WHERE delivered_at IS NULL`,
        );
        return row?.n === 0;
      },
      'every delivery recorded',
      15_000,
    );
    await new Promise((r) => setTimeout(r, 300)); // let any stray duplicate arrive

    const accepted = receiver.requests.filter((r) => 'status' in r.reply && r.reply.status === 204);
    const ids = accepted.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(emitted.length);
    expect(new Set(ids).size).toBe(emitted.length);
    expect(receiver.requests).toHaveLength(emitted.length + 6);
    const attempts = await a.db.one<{ total: number }>(
      `SELECT sum(attempts)::int AS total FROM outbox WHERE kind = 'webhook'`,
    );
    expect(attempts?.total).toBe(emitted.length + 6);

    for (const user of USERS) {
      const roles = accepted
        .map((r) => JSON.parse(r.body) as { data: { user_id: string; roles: string[] } })
        .filter((body) => body.data.user_id === user)
        .map((body) => body.data.roles[0]);
      expect(roles).toEqual(Array.from({ length: 10 }, (_, n) => `r${n}`));
    }
  });
});
