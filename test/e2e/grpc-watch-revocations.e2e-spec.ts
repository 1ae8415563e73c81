/**
 * `WatchRevocations` on the real platform, two instances behind one Postgres and one Redis:
 * a subscriber on instance B is told of a logout, a lock and a role change made through the
 * REST API of instance A, with the session and user ids and an end no earlier than the
 * revoked token's `exp`; it resumes after its cursor; a malformed cursor is refused; a
 * certificate of the internal CA that is not on the allow-list cannot subscribe (the stream
 * is as protected as VerifyToken); `/metrics` counts the calls and the watchers.
 */
import { credentials, status } from '@grpc/grpc-js';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { login, MailCatcher, registerVerified } from '@identity/testing';
import { startTestApp, type TestApp } from '../support/app';
import { type AdminHarness, bearer, startAdminHarness } from './admin.fixtures';
import { GrpcTestClient, type RevocationStream } from './grpc.fixtures';
import { TestPki } from './tls.fixtures';

describe('WatchRevocations across instances', () => {
  let h: AdminHarness;
  let b: TestApp;
  let client: GrpcTestClient;
  const streams: RevocationStream[] = [];

  beforeAll(async () => {
    h = await startAdminHarness({ label: 'watch_rev', env: { ADMIN_REQUIRE_MFA: 'false' } });
    b = await startTestApp({
      label: 'watch_rev_b',
      db: h.app.db,
      kvPrefix: h.app.config.redis.keyPrefix,
      // Both instances run the outbox worker: either may send a sign-up's mail.
      env: { SMTP_URL: `smtp://127.0.0.1:${h.mail.port}`, MAIL_PER_IP_PER_HOUR: '10000' },
    });
    client = new GrpcTestClient(b.grpcAddress);
  });
  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });
  afterAll(async () => {
    client.close();
    await b.close();
    await h.close();
  });

  const watch = async (after = '', heartbeatMs = 0) => {
    const stream = client.watchRevocations(after, heartbeatMs);
    streams.push(stream);
    await stream.until(() => stream.of('caught_up').length > 0);
    return stream;
  };

  it('pushes a logout made on instance A to a subscriber on instance B', async () => {
    const stream = await watch();
    const user = await h.signUp('watched');
    const { exp, sid } = decodeJwt(user.accessToken);
    const sent = Date.now();
    await request(h.app.url)
      .post('/auth/logout')
      .set(bearer(user.accessToken))
      .send({})
      .expect(204);
    await stream.until(() => stream.of('sessions_revoked').length > 0);
    const [event] = stream.of('sessions_revoked');
    expect(event!.sessions_revoked).toEqual({
      user_id: user.userId,
      session_ids: [sid],
      until: expect.any(Number),
      reason: 'logout',
    });
    // The revocation lasts at least as long as the token it kills.
    expect(event!.sessions_revoked!.until).toBeGreaterThanOrEqual(exp!);
    expect(event!.cursor).toMatch(/^[1-9]\d*$/);
    expect(event!.receivedAt - sent).toBeLessThan(1_000);
  });

  it('pushes a lock (with its sessions) and a role change made by an admin', async () => {
    const stream = await watch();
    const user = await h.signUp('locked');
    const asAdmin = bearer(h.admin.accessToken);
    await request(h.app.url)
      .put(`/admin/users/${user.userId}/roles`)
      .set(asAdmin)
      .send({ roles: ['user', 'admin'] })
      .expect(200);
    await request(h.app.url).post(`/admin/users/${user.userId}/lock`).set(asAdmin).expect(204);
    await stream.until(
      () => stream.of('user_locked').length > 0 && stream.of('sessions_revoked').length > 0,
    );
    expect(stream.of('user_access_changed')[0]!.user_access_changed).toEqual({
      user_id: user.userId,
      roles: ['admin', 'user'],
    });
    expect(stream.of('user_locked')[0]!.user_locked).toMatchObject({ user_id: user.userId });
    expect(stream.of('sessions_revoked')[0]!.sessions_revoked).toMatchObject({
      user_id: user.userId,
      session_ids: [user.sessionId],
      reason: 'account_locked',
    });
  });

  it('resumes after a cursor with what happened meanwhile, on either instance', async () => {
    const first = await watch();
    const user = await h.signUp('resume');
    const second = await login(h.app.url, { email: user.email, password: user.password });
    await request(h.app.url).post('/auth/logout').set(bearer(user.accessToken)).send({});
    await first.until(() => first.of('sessions_revoked').length === 1);
    const cursor = first.of('sessions_revoked')[0]!.cursor;
    first.close();
    await request(b.url).post('/auth/logout').set(bearer(second.accessToken)).send({});

    const resumed = await watch(cursor);
    expect(resumed.received.map((e) => e.event)).toEqual(['sessions_revoked', 'caught_up']);
    expect(resumed.of('sessions_revoked')[0]!.sessions_revoked!.session_ids).toEqual([
      second.sessionId,
    ]);
    expect(BigInt(resumed.of('caught_up')[0]!.cursor)).toBeGreaterThan(BigInt(cursor));
  });

  it('sends heartbeats at the asked interval', async () => {
    const stream = await watch('', 200);
    await stream.until(() => stream.of('heartbeat').length >= 2, 3_000);
    const [one, two] = stream.of('heartbeat');
    expect(two!.receivedAt - one!.receivedAt).toBeGreaterThanOrEqual(150);
  });

  it('refuses a malformed cursor', async () => {
    const stream = client.watchRevocations('12abc');
    streams.push(stream);
    await stream.until(() => stream.error !== undefined);
    expect(stream.error).toMatchObject({ code: status.INVALID_ARGUMENT });
  });

  it('counts calls and watchers in /metrics', async () => {
    await watch();
    await client.verifyToken('not-a-token');
    const metrics = (await request(b.url).get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^identity_revocation_watchers 1$/m);
    expect(metrics).toMatch(
      /^identity_grpc_calls_total\{method="identity\.v1\.IdentityService\/VerifyToken",code="OK"\} [1-9]/m,
    );
  });
});

describe('WatchRevocations behind the mutual TLS allow-list', () => {
  let pki: TestPki;
  const mail = new MailCatcher();
  let app: TestApp;

  beforeAll(async () => {
    pki = new TestPki();
    pki.ca('ca');
    pki.leaf('server', 'ca', 'DNS:localhost,IP:127.0.0.1');
    pki.leaf('reporting', 'ca', 'DNS:reporting.internal');
    pki.leaf('billing', 'ca', 'DNS:billing.internal');
    const smtp = await mail.start();
    app = await startTestApp({
      label: 'watch_rev_mtls',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${smtp}`,
        GRPC_TLS_CERT: pki.path('server.crt'),
        GRPC_TLS_KEY: pki.path('server.key'),
        GRPC_TLS_CLIENT_CA: pki.path('ca.crt'),
        GRPC_TLS_ALLOWED_CLIENTS: 'reporting.internal',
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await mail.stop();
    pki?.remove();
  });

  const clientWith = (cert: string) =>
    new GrpcTestClient(
      app.grpcAddress,
      credentials.createSsl(pki.read('ca.crt'), pki.read(`${cert}.key`), pki.read(`${cert}.crt`)),
    );

  it('streams to an allowed certificate and refuses another of the same CA', async () => {
    const allowed = clientWith('reporting');
    const refused = clientWith('billing');
    try {
      const user = await login(app.url, await registerVerified(app.url, mail));
      const ok = allowed.watchRevocations();
      await ok.until(() => ok.of('caught_up').length > 0);
      await request(app.url).post('/auth/logout').set(bearer(user.accessToken)).send({});
      await ok.until(() => ok.of('sessions_revoked').length > 0);
      ok.close();

      const denied = refused.watchRevocations();
      await denied.until(() => denied.error !== undefined);
      expect(denied.error).toMatchObject({ code: status.PERMISSION_DENIED });
      expect(denied.received).toEqual([]);
    } finally {
      allowed.close();
      refused.close();
    }
  });
});
