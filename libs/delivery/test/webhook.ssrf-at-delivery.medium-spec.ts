/**
 * SSRF through webhooks: an admin token (or a confused admin) registers a receiver whose
 * name resolves to a public address, which passes the check at registration, then points
 * the name at an internal address (DNS rebinding, or a record changed later). Every attempt
 * must resolve again, check every address against the target policy and connect only to
 * the addresses it checked; with `WEBHOOK_ALLOW_PRIVATE=false` the internal service never
 * sees a request. Nor may a public receiver bounce a delivery inward with a redirect:
 * redirects are not followed, they are failed attempts.
 *
 * DNS is a scripted stand-in (the sender's injected resolver); the "internal service" is a
 * real receiver on 127.0.0.1.
 */
import { EventBus } from '@identity/audit';
import {
  type ResolvedAddress,
  WebhookDeliveryService,
  WebhookEndpointService,
} from '@identity/delivery';
import { createTestDatabase, type TestDatabase, WebhookReceiver } from '@identity/testing';
import { type DeliveryApp, startDeliveryApp } from './support/delivery-app';

const ADMIN = '00000000-0000-4000-8000-00000000000a';
const USER = '00000000-0000-4000-8000-0000000000e1';
const HOST = 'siem.example.test';
const PUBLIC: ResolvedAddress = { address: '93.184.216.34', family: 4 };
const LOOPBACK: ResolvedAddress = { address: '127.0.0.1', family: 4 };

describe('the target policy is applied again at every delivery attempt', () => {
  let db: TestDatabase;
  const internal = new WebhookReceiver();
  let answer: ResolvedAddress[] = [PUBLIC];
  const asked: string[] = [];
  const dns = {
    lookup: (hostname: string) => {
      asked.push(hostname);
      return Promise.resolve(answer);
    },
  };

  beforeAll(async () => {
    db = await createTestDatabase('webhook_ssrf');
    await internal.start();
  });
  afterAll(async () => {
    await internal.stop();
    await db?.drop();
  });

  const lock = (app: DeliveryApp) =>
    app.db.withTransaction((tx) =>
      app.module.get(EventBus).emit(tx, 'user.locked', { userId: USER, actorId: ADMIN }),
    );
  const lastDelivery = async (app: DeliveryApp, endpointId: string) =>
    (await app.module.get(WebhookDeliveryService).list(endpointId, { limit: 1 })).items[0];

  describe('with WEBHOOK_ALLOW_PRIVATE=false', () => {
    let app: DeliveryApp;
    beforeAll(async () => {
      app = await startDeliveryApp({
        databaseUrl: db.url,
        pollIntervalMs: 60_000,
        dns,
        env: { WEBHOOK_ALLOW_PRIVATE: 'false' },
      });
    });
    afterAll(() => app?.close());

    it('refuses a name that resolved public at registration and private at delivery', async () => {
      answer = [PUBLIC];
      const endpoint = await app.module.get(WebhookEndpointService).create({
        url: `http://${HOST}:${internal.port}/hook`,
        events: ['user.locked'],
        actorId: ADMIN,
      });
      expect(asked).toEqual([HOST]); // checked at registration

      answer = [LOOPBACK];
      await lock(app);
      await app.worker.runOnce();
      expect(asked).toEqual([HOST, HOST]); // and asked again at the attempt
      expect(internal.requests).toHaveLength(0);
      expect(await lastDelivery(app, endpoint.id)).toMatchObject({
        status: 'failed',
        attempts: 1,
        lastStatusCode: null,
        lastError: 'target address is loopback (127/8)',
      });

      // One private address among public ones is enough to refuse.
      answer = [PUBLIC, { address: '::ffff:127.0.0.1', family: 6 }];
      await app.module
        .get(WebhookDeliveryService)
        .retry(endpoint.id, (await lastDelivery(app, endpoint.id))!.id);
      await app.worker.runOnce();
      expect(internal.requests).toHaveLength(0);
      expect((await lastDelivery(app, endpoint.id))?.lastError).toMatch(/^target address is/);
      await app.module.get(WebhookEndpointService).delete(endpoint.id, ADMIN);
    });

    it('refuses the same private name at registration', async () => {
      answer = [LOOPBACK];
      await expect(
        app.module.get(WebhookEndpointService).create({
          url: `http://${HOST}:${internal.port}/hook`,
          events: ['user.locked'],
          actorId: ADMIN,
        }),
      ).rejects.toMatchObject({ code: 'webhook.private_target' });
    });
  });

  describe('with WEBHOOK_ALLOW_PRIVATE=true (the same stand-in DNS, the control)', () => {
    let app: DeliveryApp;
    const other = new WebhookReceiver();
    beforeAll(async () => {
      await other.start();
      app = await startDeliveryApp({
        databaseUrl: db.url,
        pollIntervalMs: 60_000,
        dns,
        env: { WEBHOOK_ALLOW_PRIVATE: 'true' },
      });
    });
    afterAll(async () => {
      await app?.close();
      await other.stop();
    });

    it('delivers to the address the name resolves to at delivery, keeping the Host', async () => {
      answer = [LOOPBACK];
      const endpoint = await app.module.get(WebhookEndpointService).create({
        url: `http://${HOST}:${internal.port}/hook`,
        events: ['user.locked'],
        actorId: ADMIN,
      });
      await lock(app);
      await app.worker.runOnce();
      const [request] = await internal.waitFor(1);
      expect(request?.headers.host).toBe(`${HOST}:${internal.port}`);
      await app.module.get(WebhookEndpointService).delete(endpoint.id, ADMIN);
    });

    it('does not follow a redirect: the target of the redirect gets nothing', async () => {
      const before = internal.requests.length;
      internal.replyNext({ redirect: other.url('/inside'), status: 307 });
      const endpoint = await app.module.get(WebhookEndpointService).create({
        url: internal.url('/hook'),
        events: ['user.locked'],
        actorId: ADMIN,
      });
      await lock(app);
      await app.worker.runOnce();
      expect(internal.requests).toHaveLength(before + 1);
      expect(other.requests).toHaveLength(0);
      expect(await lastDelivery(app, endpoint.id)).toMatchObject({
        status: 'failed',
        lastStatusCode: 307,
        lastError: 'HTTP 307 (redirects are not followed)',
      });
      await app.module.get(WebhookEndpointService).delete(endpoint.id, ADMIN);
    });
  });
});
