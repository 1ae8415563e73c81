/**
 * A SOC receiver that is down for a while must still get every event, once it is back, and
 * must be able to tell a retry from a new event: a failed delivery is retried after about
 * 5 s, then with doubling backoff (±20 % jitter), 11 attempts in all (over an hour), always
 * with the same `webhook-id`, then it is dead and nothing retries it. An operator can send a
 * failed or dead delivery again at once, still with the same `webhook-id`. Time is moved
 * with a ManualClock: no test waits for the schedule.
 */
import {
  WEBHOOK_FIRST_RETRY_DELAY_MS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_RETRY_JITTER,
  WebhookDeliveryService,
  WebhookEndpointService,
  WebhookMetrics,
  type WebhookDelivery,
} from '@identity/delivery';
import { EventBus } from '@identity/audit';
import {
  createTestDatabase,
  ManualClock,
  type TestDatabase,
  WebhookReceiver,
} from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const USER = '00000000-0000-4000-8000-0000000000b1';

describe('webhook retries', () => {
  let db: TestDatabase;
  let app: DeliveryApp;
  let endpointId: string;
  const clock = new ManualClock();
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    db = await createTestDatabase('webhook_retries');
    await receiver.start();
    app = await startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 60_000, clock });
    const created = await app.module
      .get(WebhookEndpointService)
      .create({ url: receiver.url(), events: ['user.locked'], actorId: ADMIN });
    endpointId = created.id;
  });
  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await db?.drop();
  });

  const deliveries = () => app.module.get(WebhookDeliveryService);
  const lock = () =>
    app.db.withTransaction((tx) =>
      app.module.get(EventBus).emit(tx, 'user.locked', { userId: USER, actorId: ADMIN }),
    );
  const latest = async (): Promise<WebhookDelivery> =>
    (await deliveries().list(endpointId, { limit: 1 })).items[0]!;
  const metric = async (name: string) =>
    (await app.module.get(WebhookMetrics).registry.getSingleMetric(name)!.get()).values;

  it('retries on the schedule with one webhook-id, then gives up, then a manual retry sends it', async () => {
    receiver.replyAlways({ status: 503 });
    await lock();
    await app.worker.runOnce();
    expect(receiver.requests).toHaveLength(1);
    const first = await latest();
    expect(first).toMatchObject({ status: 'failed', attempts: 1, lastStatusCode: 503 });
    expect(first.lastError).toBe('HTTP 503');
    const webhookId = receiver.requests[0]!.headers['webhook-id'];
    expect(webhookId).toBe(first.id);

    let attemptedAt = clock.nowMs();
    for (let attempt = 1; attempt < WEBHOOK_MAX_ATTEMPTS; attempt++) {
      const nominal = WEBHOOK_FIRST_RETRY_DELAY_MS * 2 ** (attempt - 1);
      const wait = (await latest()).nextAttemptAt!.getTime() - attemptedAt;
      expect(wait).toBeGreaterThanOrEqual(nominal * (1 - WEBHOOK_RETRY_JITTER));
      expect(wait).toBeLessThanOrEqual(nominal * (1 + WEBHOOK_RETRY_JITTER));

      // Not before it is due, however often the worker runs.
      clock.advance((wait - 50) / 1000);
      await app.worker.runOnce();
      expect(receiver.requests).toHaveLength(attempt);

      clock.advance(0.05);
      attemptedAt = clock.nowMs();
      await app.worker.runOnce();
      expect(receiver.requests).toHaveLength(attempt + 1);
      const retry = receiver.requests[attempt]!;
      expect(retry.headers['webhook-id']).toBe(webhookId);
      expect(retry.headers['webhook-timestamp']).toBe(String(Math.floor(attemptedAt / 1000)));
      // The oldest pending delivery is this one, until it dies with the last attempt.
      const [age] = await metric('webhook_oldest_pending_delivery_age_seconds');
      const pendingFor = (clock.nowMs() - first.createdAt.getTime()) / 1000;
      expect(age?.value).toBeCloseTo(attempt + 1 < WEBHOOK_MAX_ATTEMPTS ? pendingFor : 0, 1);
    }

    const dead = await latest();
    expect(dead).toMatchObject({
      id: webhookId,
      status: 'dead',
      attempts: WEBHOOK_MAX_ATTEMPTS,
      nextAttemptAt: null,
    });
    // Dead is final: the receiver is back and a day passes, nothing is sent.
    receiver.replyAlways({ status: 204 });
    clock.advance(24 * 3600);
    await app.worker.runOnce();
    expect(receiver.requests).toHaveLength(WEBHOOK_MAX_ATTEMPTS);

    await deliveries().retry(endpointId, webhookId as string);
    await app.worker.runOnce();
    expect(receiver.requests).toHaveLength(WEBHOOK_MAX_ATTEMPTS + 1);
    expect(receiver.requests.at(-1)!.headers['webhook-id']).toBe(webhookId);
    expect(receiver.requests.at(-1)!.body).toBe(receiver.requests[0]!.body);
    expect(await latest()).toMatchObject({
      status: 'delivered',
      attempts: WEBHOOK_MAX_ATTEMPTS + 1,
      lastStatusCode: 204,
      lastError: null,
    });

    const outcomes = Object.fromEntries(
      (await metric('webhook_deliveries_total')).map((v) => [v.labels.outcome, v.value]),
    );
    expect(outcomes).toEqual({ delivered: 1, failed: WEBHOOK_MAX_ATTEMPTS - 1, dead: 1 });
    expect((await metric('webhook_oldest_pending_delivery_age_seconds'))[0]?.value).toBe(0);
  });

  it('sends a failed delivery at once when asked, without waiting for its schedule', async () => {
    receiver.replyNext({ status: 500 });
    const before = receiver.requests.length;
    await lock();
    await app.worker.runOnce();
    const failed = await latest();
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });

    await deliveries().retry(endpointId, failed.id);
    await app.worker.runOnce();
    expect(receiver.requests.slice(before).map((r) => r.headers['webhook-id'])).toEqual([
      failed.id,
      failed.id,
    ]);
    expect(await latest()).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('refuses to retry a delivered delivery, or one of another receiver', async () => {
    const delivered = await latest();
    await expect(deliveries().retry(endpointId, delivered.id)).rejects.toMatchObject({
      code: 'webhook.already_delivered',
    });
    const other = await app.module
      .get(WebhookEndpointService)
      .create({ url: receiver.url('/other'), events: ['user.locked'], actorId: ADMIN });
    await expect(deliveries().retry(other.id, delivered.id)).rejects.toMatchObject({
      code: 'webhook.delivery_not_found',
    });
  });
});
