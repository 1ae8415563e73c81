/**
 * Rotating a receiver's secret (a leaked secret, routine hygiene) must not make it drop
 * genuine deliveries while its configuration catches up, and must end: for 24 h each
 * delivery carries two signatures, one by the new secret and one by the old, so a receiver
 * with either verifies it; after that only the new secret signs, so the old one (perhaps
 * leaked) no longer produces anything a receiver accepts. Secrets are read at each attempt:
 * a delivery queued before the rotation and sent after it is signed with the new secrets.
 */
import { Webhook } from 'standardwebhooks';
import { EventBus } from '@identity/audit';
import { SECRET_ROTATION_OVERLAP_SECONDS, WebhookEndpointService } from '@identity/delivery';
import {
  createTestDatabase,
  ManualClock,
  type ReceivedRequest,
  type TestDatabase,
  webhookHeaders,
  WebhookReceiver,
} from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const USER = '00000000-0000-4000-8000-0000000000f1';

/** The `v1,...` signatures of a request. */
const signatures = (req: ReceivedRequest) => webhookHeaders(req)['webhook-signature'].split(' ');

/** The signature `secret` makes for this request (the package's own signing, by hand). */
const signedBy = (secret: string, req: ReceivedRequest) => {
  const h = webhookHeaders(req);
  return new Webhook(secret).sign(
    h['webhook-id'],
    new Date(Number(h['webhook-timestamp']) * 1000),
    req.body,
  );
};

describe('secret rotation', () => {
  let db: TestDatabase;
  let app: DeliveryApp;
  const clock = new ManualClock();
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    db = await createTestDatabase('webhook_rotation');
    await receiver.start();
    app = await startDeliveryApp({ databaseUrl: db.url, pollIntervalMs: 60_000, clock });
  });
  afterAll(async () => {
    await app?.close();
    await receiver.stop();
    await db?.drop();
  });

  const lock = () =>
    app.db.withTransaction((tx) =>
      app.module.get(EventBus).emit(tx, 'user.locked', { userId: USER, actorId: ADMIN }),
    );
  const next = async (): Promise<ReceivedRequest> => {
    const count = receiver.requests.length;
    await app.worker.runOnce();
    return (await receiver.waitFor(count + 1))[count]!;
  };

  it('signs with both secrets for 24 h, then with the new one only', async () => {
    const registry = app.module.get(WebhookEndpointService);
    const { id, secret: oldSecret } = await registry.create({
      url: receiver.url(),
      events: ['user.locked'],
      actorId: ADMIN,
    });
    await lock();
    const before = await next();
    expect(signatures(before)).toEqual([signedBy(oldSecret, before)]);

    // Queued before the rotation, sent after it: signed with the secrets of the moment.
    receiver.replyNext({ status: 500 });
    await lock();
    await next();
    const { secret: newSecret } = await registry.rotateSecret(id, ADMIN);
    expect(newSecret).not.toBe(oldSecret);
    expect((await registry.get(id)).previousSecretExpiresAt).toEqual(
      clock.after(SECRET_ROTATION_OVERLAP_SECONDS),
    );
    clock.advance(6); // the failed attempt is due again
    const during = await next();
    expect(signatures(during)).toEqual([signedBy(newSecret, during), signedBy(oldSecret, during)]);
    // A receiver on either secret verifies it with the package (the clock has barely moved).
    for (const secret of [oldSecret, newSecret]) {
      expect(new Webhook(secret).verify(during.body, webhookHeaders(during))).toMatchObject({
        type: 'user.locked',
      });
    }

    clock.advance(SECRET_ROTATION_OVERLAP_SECONDS - 10);
    await lock();
    const late = await next();
    expect(signatures(late)).toHaveLength(2);

    clock.advance(11); // the window has closed
    await lock();
    const after = await next();
    expect(signatures(after)).toEqual([signedBy(newSecret, after)]);
    expect(signatures(after)).not.toContain(signedBy(oldSecret, after));

    // A second rotation: the new secret and the one before it sign; the oldest never again.
    const { secret: newest } = await registry.rotateSecret(id, ADMIN);
    await lock();
    const again = await next();
    expect(signatures(again)).toEqual([signedBy(newest, again), signedBy(newSecret, again)]);
  });
});
