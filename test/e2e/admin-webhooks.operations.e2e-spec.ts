/**
 * Operating receivers over the admin API (API.md, `/admin/webhooks*`), against the real app
 * and a receiver on loopback: test event, PATCH (format, events, enabled), secret rotation,
 * the deliveries list and a manual retry, the audit trail of each change, and the delivery
 * metrics on /metrics. Attack: a non-admin (or an admin without the route's permission)
 * reading deliveries or rotating secrets is the 403 of every admin route
 * (admin.access.e2e-spec.ts); here, a receiver's secret must never be shown again after the
 * answer that made it.
 */
import request from 'supertest';
import { Webhook } from 'standardwebhooks';
import { webhookHeaders, WebhookReceiver } from '@identity/testing';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';

describe('admin webhook operations', () => {
  let h: AdminHarness;
  const receiver = new WebhookReceiver();

  beforeAll(async () => {
    await receiver.start();
    h = await startAdminHarness({
      label: 'admin_webhook_ops',
      env: { ADMIN_REQUIRE_MFA: 'false' },
    });
  });
  afterAll(async () => {
    await h?.close();
    await receiver.stop();
  });

  const api = () => request(h.app.url);
  const admin = () => bearer(h.admin.accessToken);
  const create = async (body: object) => {
    const res = await api().post('/admin/webhooks').set(admin()).send(body);
    expect(res.status).toBe(201);
    return res.body as { id: string; secret: string };
  };
  const auditOf = async (type: string) =>
    (await api().get(`/admin/audit?type=${type}&limit=1`).set(admin())).body.items[0];

  it('sends a test event to that receiver only, in its format, and lists it', async () => {
    const ocsf = await create({ url: receiver.url('/ocsf'), events: ['*'], format: 'ocsf' });
    const other = await create({ url: receiver.url('/other'), events: ['*'] });
    const res = await api().post(`/admin/webhooks/${ocsf.id}/test`).set(admin());
    expect(res.status).toBe(202);
    expect(Object.keys(res.body)).toEqual(['delivery_id']);

    const [req] = await receiver.waitFor(1);
    expect(req!.path).toBe('/ocsf');
    expect(req!.headers['webhook-id']).toBe(res.body.delivery_id);
    const body = new Webhook(ocsf.secret).verify(req!.body, webhookHeaders(req!));
    expect(body).toMatchObject({ class_uid: 0, metadata: { event_code: 'webhook.test' } });

    const list = await api().get(`/admin/webhooks/${ocsf.id}/deliveries`).set(admin());
    expect(list.status).toBe(200);
    expect(list.body.next_before).toBeNull();
    expect(list.body.items).toHaveLength(1);
    const [item] = list.body.items;
    expect(Object.keys(item).sort()).toEqual([
      'attempts',
      'created_at',
      'delivered_at',
      'event_type',
      'id',
      'last_error',
      'last_status_code',
      'next_attempt_at',
      'status',
    ]);
    expect(item).toMatchObject({
      id: res.body.delivery_id,
      event_type: 'webhook.test',
      status: 'delivered',
      attempts: 1,
      last_status_code: 204,
      last_error: null,
      next_attempt_at: null,
    });
    expect(
      (await api().get(`/admin/webhooks/${other.id}/deliveries`).set(admin())).body.items,
    ).toEqual([]);
    expect((await auditOf('webhook.test')).metadata).toMatchObject({
      webhookId: ocsf.id,
      actorId: h.admin.userId,
    });
    for (const id of [ocsf.id, other.id]) {
      await api().delete(`/admin/webhooks/${id}`).set(admin()).expect(204);
    }
  });

  it('changes a receiver with PATCH, audits it, and stops a disabled one at once', async () => {
    const created = await create({ url: receiver.url('/a'), events: ['user.locked'] });
    const patched = await api()
      .patch(`/admin/webhooks/${created.id}`)
      .set(admin())
      .send({ url: receiver.url('/b'), events: ['*'], format: 'ocsf', enabled: false });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: created.id,
      url: receiver.url('/b'),
      events: ['*'],
      format: 'ocsf',
      enabled: false,
    });
    expect(JSON.stringify(patched.body)).not.toContain(created.secret);
    expect((await auditOf('webhook.updated')).metadata).toMatchObject({
      webhookId: created.id,
      changes: ['url', 'events', 'format', 'enabled'],
      enabled: false,
    });
    const fetched = await api().get(`/admin/webhooks/${created.id}`).set(admin());
    expect(fetched.body).toMatchObject({ format: 'ocsf', enabled: false });

    const test = await api().post(`/admin/webhooks/${created.id}/test`).set(admin());
    expect(test.status).toBe(409);

    for (const [body, field] of [
      [{}, '(body)'],
      [{ enabled: 'no' }, 'enabled'],
      [{ format: 'xml' }, 'format'],
      [{ events: [] }, 'events'],
      [{ secret: 'whsec_x' }, 'secret'],
    ] as const) {
      const res = await api().patch(`/admin/webhooks/${created.id}`).set(admin()).send(body);
      expect({ body, status: res.status, field: res.body.errors?.[0]?.field }).toEqual({
        body,
        status: 400,
        field,
      });
    }
    await api().delete(`/admin/webhooks/${created.id}`).set(admin()).expect(204);
    const gone = await api().patch(`/admin/webhooks/${created.id}`).set(admin()).send({
      enabled: true,
    });
    expect(gone.status).toBe(404);
  });

  it('rotates the secret: shown once, both sign for now, audited', async () => {
    const created = await create({ url: receiver.url('/rot'), events: ['*'] });
    const rotated = await api().post(`/admin/webhooks/${created.id}/rotate-secret`).set(admin());
    expect(rotated.status).toBe(200);
    expect(Object.keys(rotated.body)).toEqual(['secret']);
    expect(rotated.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const before = receiver.requests.length;
    await api().post(`/admin/webhooks/${created.id}/test`).set(admin()).expect(202);
    const req = (await receiver.waitFor(before + 1))[before]!;
    expect(webhookHeaders(req)['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [created.secret, rotated.body.secret as string]) {
      expect(() => new Webhook(secret).verify(req.body, webhookHeaders(req))).not.toThrow();
    }
    const audit = await auditOf('webhook.secret_rotated');
    expect(audit.metadata).toMatchObject({ webhookId: created.id, actorId: h.admin.userId });
    expect(JSON.stringify(audit)).not.toContain(rotated.body.secret);
    const detail = await api().get(`/admin/webhooks/${created.id}`).set(admin());
    expect(detail.body.previous_secret_expires_at).toEqual(expect.any(String));
    await api().delete(`/admin/webhooks/${created.id}`).set(admin()).expect(204);
  });

  it('retries a failed delivery at once with the same webhook-id; filters and pages', async () => {
    const created = await create({ url: receiver.url('/retry'), events: ['*'] });
    receiver.replyNext({ status: 500 });
    const before = receiver.requests.length;
    const test = await api().post(`/admin/webhooks/${created.id}/test`).set(admin());
    await receiver.waitFor(before + 1);
    const deliveries = (query = '') =>
      api().get(`/admin/webhooks/${created.id}/deliveries${query}`).set(admin());
    let failed: { status: string; last_status_code: number } | undefined;
    for (let i = 0; i < 50 && failed?.status !== 'failed'; i++) {
      failed = (await deliveries('?status=failed')).body.items[0];
      if (!failed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(failed).toMatchObject({ status: 'failed', last_status_code: 500, attempts: 1 });

    const retry = await api()
      .post(`/admin/webhooks/${created.id}/deliveries/${test.body.delivery_id}/retry`)
      .set(admin());
    expect(retry.status).toBe(202);
    const again = (await receiver.waitFor(before + 2, 2_000))[before + 1]!;
    expect(again.headers['webhook-id']).toBe(test.body.delivery_id);

    // Delivered now: no second retry; unknown ids are 404.
    for (let i = 0; i < 50; i++) {
      if ((await deliveries('?status=delivered')).body.items.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const twice = await api()
      .post(`/admin/webhooks/${created.id}/deliveries/${test.body.delivery_id}/retry`)
      .set(admin());
    expect(twice.status).toBe(409);
    for (const path of [
      `/admin/webhooks/${created.id}/deliveries/00000000-0000-4000-8000-000000000000/retry`,
      `/admin/webhooks/${created.id}/deliveries/nope/retry`,
      `/admin/webhooks/00000000-0000-4000-8000-000000000000/deliveries/${test.body.delivery_id}/retry`,
    ]) {
      const res = await api().post(path).set(admin());
      expect({ path, status: res.status, code: res.body.code }).toEqual({
        path,
        status: 404,
        code: 'not_found',
      });
    }

    await api().post(`/admin/webhooks/${created.id}/test`).set(admin()).expect(202);
    await receiver.waitFor(before + 3);
    const first = await deliveries('?limit=1');
    expect(first.body.items).toHaveLength(1);
    expect(first.body.next_before).toBe(first.body.items[0].id);
    const second = await deliveries(`?limit=1&before=${first.body.next_before}`);
    expect(second.body.items[0].id).toBe(test.body.delivery_id);
    for (const query of ['?status=lost', '?limit=0', '?before=12', '?extra=1']) {
      expect((await deliveries(query)).status).toBe(400);
    }
    expect(
      (
        await api()
          .get('/admin/webhooks/00000000-0000-4000-8000-000000000000/deliveries')
          .set(admin())
      ).status,
    ).toBe(404);
    await api().delete(`/admin/webhooks/${created.id}`).set(admin()).expect(204);
  });

  it('exposes delivery outcomes and the oldest pending age on /metrics', async () => {
    const text = (await api().get('/metrics')).text;
    expect(text).toMatch(/^webhook_deliveries_total\{outcome="delivered"\} [1-9]\d*$/m);
    expect(text).toMatch(/^webhook_deliveries_total\{outcome="failed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^webhook_deliveries_total\{outcome="dead"\} 0$/m);
    expect(text).toMatch(/^webhook_oldest_pending_delivery_age_seconds 0$/m);
    expect(text).toMatch(/^http_request_duration_seconds_count/m);
  });
});
