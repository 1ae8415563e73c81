/**
 * A SOC pipeline must be able to tell a genuine delivery from a forged one (anyone who knows
 * a receiver's URL can POST to it). Receivers verify with the `standardwebhooks` package, so
 * every event type the domain emits today, in every shape it is emitted, must reach a
 * subscribed receiver in both formats with headers that `Webhook.verify` accepts, through the
 * real path: the event bus, the fan-out in the emitting transaction, the outbox worker, the
 * signing channel and an HTTP receiver on loopback. OCSF bodies must also pass the schema's
 * required-attribute checks, or the SIEM drops them.
 */
import { Webhook } from 'standardwebhooks';
import { EventBus, IDENTITY_EVENT_TYPES, type IdentityEventType } from '@identity/audit';
import {
  isWebhookEventType,
  OCSF_NOT_SENT,
  WebhookDeliveryService,
  WebhookEndpointService,
  type WebhookEventType,
} from '@identity/delivery';
import {
  createTestDatabase,
  type TestDatabase,
  webhookHeaders as headersOf,
  WebhookReceiver,
} from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';
import { ocsfViolations } from './support/ocsf-schema';
import { WEBHOOK_EVENT_SAMPLES } from './support/webhook-samples';

/** The contract's types the domain emits today (`webhook.test` comes from the test use case). */
const EMITTED = IDENTITY_EVENT_TYPES.filter(
  (t): t is IdentityEventType & WebhookEventType => isWebhookEventType(t) && t !== 'webhook.test',
);

describe('every emitted event type arrives signed and verifiable', () => {
  let db: TestDatabase;
  let app: DeliveryApp;
  const standard = new WebhookReceiver();
  const ocsf = new WebhookReceiver();
  const secrets: Record<'standard' | 'ocsf', string> = { standard: '', ocsf: '' };

  beforeAll(async () => {
    db = await createTestDatabase('webhook_every_event');
    await Promise.all([standard.start(), ocsf.start()]);
    app = await startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 60_000 });
    const endpoints = app.module.get(WebhookEndpointService);
    const actorId = '00000000-0000-4000-8000-000000000001';
    for (const [format, receiver] of [
      ['standard', standard],
      ['ocsf', ocsf],
    ] as const) {
      const created = await endpoints.create({
        url: receiver.url(),
        events: ['*'],
        format,
        actorId,
      });
      secrets[format] = created.secret;
    }
  });
  afterAll(async () => {
    await app?.close();
    await Promise.all([standard.stop(), ocsf.stop()]);
    await db?.drop();
  });

  it('covers the domain events of the contract', () => {
    expect(EMITTED.length).toBeGreaterThanOrEqual(14);
    for (const type of ['auth.login.failed', 'session.revoked', 'key.rotated'] as const) {
      expect(EMITTED).toContain(type);
    }
  });

  it('delivers each sample of each type, in both formats, and Webhook.verify accepts it', async () => {
    const bus = app.module.get(EventBus);
    const emitted: { type: WebhookEventType; payload: { userId?: string } }[] = [];
    for (const type of EMITTED) {
      for (const payload of WEBHOOK_EVENT_SAMPLES[type]) {
        // The samples are typed by the webhook contract's map, which is the domain's here.
        await app.db.withTransaction((tx) => bus.emit(tx, type, payload as never));
        emitted.push({ type, payload });
      }
    }
    const ocsfCount = emitted.filter((e) => !OCSF_NOT_SENT.includes(e.type)).length;
    const [gotStandard, gotOcsf] = await Promise.all([
      standard.waitFor(emitted.length, 10_000),
      ocsf.waitFor(ocsfCount, 10_000),
    ]);

    const standardBodies = gotStandard.map((req) => {
      const verified = new Webhook(secrets.standard).verify(req.body, headersOf(req));
      expect(verified).toEqual(JSON.parse(req.body));
      return verified as { type: string; timestamp: string; data: Record<string, unknown> };
    });
    expect(standardBodies.map((b) => b.type).sort()).toEqual(emitted.map((e) => e.type).sort());
    // The samples that name a user all name the same one: per-user order means the receiver
    // sees those exactly as they were emitted.
    expect(standardBodies.filter((b) => b.data.user_id).map((b) => b.type)).toEqual(
      emitted.filter((e) => e.payload.userId).map((e) => e.type),
    );

    const ocsfBodies = gotOcsf.map((req) => {
      const verified = new Webhook(secrets.ocsf).verify(req.body, headersOf(req));
      return verified as Record<string, unknown>;
    });
    expect(ocsfBodies.map((b) => (b.metadata as { event_code: string }).event_code).sort()).toEqual(
      emitted
        .filter((e) => !OCSF_NOT_SENT.includes(e.type))
        .map((e) => e.type)
        .sort(),
    );
    for (const body of ocsfBodies) expect(ocsfViolations(body)).toEqual([]);

    // A stable, unique webhook-id per delivery; a signature made with another secret fails.
    const ids = [...gotStandard, ...gotOcsf].map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(() =>
      new Webhook(secrets.ocsf).verify(gotStandard[0]!.body, headersOf(gotStandard[0]!)),
    ).toThrow();
  });

  it('signs the test event too, in each receiver’s format', async () => {
    const deliveries = app.module.get(WebhookDeliveryService);
    const before = { standard: standard.requests.length, ocsf: ocsf.requests.length };
    const endpoints = await app.module.get(WebhookEndpointService).list();
    for (const endpoint of endpoints) {
      await deliveries.sendTest(endpoint.id, '00000000-0000-4000-8000-000000000001');
    }
    const [s] = (await standard.waitFor(before.standard + 1)).slice(before.standard);
    const [o] = (await ocsf.waitFor(before.ocsf + 1)).slice(before.ocsf);
    expect(new Webhook(secrets.standard).verify(s!.body, headersOf(s!))).toMatchObject({
      type: 'webhook.test',
    });
    const test = new Webhook(secrets.ocsf).verify(o!.body, headersOf(o!)) as Record<
      string,
      unknown
    >;
    expect(test).toMatchObject({ class_uid: 0, metadata: { event_code: 'webhook.test' } });
    expect(ocsfViolations(test)).toEqual([]);
  });
});
