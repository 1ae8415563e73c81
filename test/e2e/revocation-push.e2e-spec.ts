/**
 * Hard logout in real time. The attack: a session is revoked (the user signed out, changed
 * their password after a theft, an admin locked the account, a stolen refresh token was
 * replayed) while a browser tab holding it stays open and keeps showing, or acting on, the
 * account until its access token runs out. Every revocation must reach the sockets of the
 * dead session(s) as `revoked` with its reason within a second, and then cut them off;
 * sockets of live sessions and of other users hear nothing.
 */
import request from 'supertest';
import {
  GOOD_PASSWORD,
  login,
  type LoggedIn,
  MailCatcher,
  mailedToken,
  registerVerified,
  uniqueEmail,
} from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import type { RevokedMessage } from '@identity/sessions-socket';
import { startTestApp, type TestApp } from '../support/app';

/** A `revoked` message but its timestamp (distributes over the scopes). */
type WithoutAt<T> = T extends unknown ? Omit<T, 'at'> : never;

/** How long a socket that must hear nothing is watched after the others heard. */
const QUIET_MS = 300;

describe('revocation push over socket.io (/sessions)', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  const clients: SessionsSocketClient[] = [];
  let bystander: SessionsSocketClient;
  let admin: LoggedIn;

  const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

  async function connect(session: LoggedIn): Promise<SessionsSocketClient> {
    const client = await SessionsSocketClient.connect(app.url, { token: session.accessToken });
    clients.push(client);
    return client;
  }

  /** A user signed in on `devices` sessions, each with a connected socket. */
  async function userWithSockets(devices: number) {
    const creds = await registerVerified(app.url, mail);
    const sessions: LoggedIn[] = [];
    const sockets: SessionsSocketClient[] = [];
    for (let i = 0; i < devices; i++) {
      const session = await login(app.url, creds, `device ${i}`);
      sessions.push(session);
      sockets.push(await connect(session));
    }
    return { creds, sessions, sockets };
  }

  /** `client` got exactly this `revoked` within 1 s of `startedAt`, and was disconnected. */
  async function expectRevoked(
    client: SessionsSocketClient,
    expected: WithoutAt<RevokedMessage>,
    startedAt: number,
  ): Promise<void> {
    const { payload, receivedAt } = await client.next('revoked', 1_000);
    expect(payload).toEqual({ ...expected, at: expect.any(String) });
    expect(Number.isNaN(Date.parse(payload.at))).toBe(false);
    expect(receivedAt - startedAt).toBeLessThan(1_000);
    expect(await client.disconnected(1_000)).toBe('io server disconnect');
    expect(client.received.map((r) => r.event)).toEqual(['revoked']);
  }

  async function expectUntouched(...untouched: SessionsSocketClient[]): Promise<void> {
    await new Promise((r) => setTimeout(r, QUIET_MS));
    for (const client of untouched) {
      expect(client.received).toEqual([]);
      expect(client.connected).toBe(true);
    }
  }

  beforeAll(async () => {
    const port = await mail.start();
    const adminEmail = uniqueEmail('push.admin');
    app = await startTestApp({
      label: 'revocation-push',
      env: {
        SMTP_URL: `smtp://127.0.0.1:${port}`,
        BOOTSTRAP_ADMIN_EMAIL: adminEmail,
        ADMIN_REQUIRE_MFA: 'false',
        // A replayed refresh token must be reuse at once here, not a retry of a lost answer.
        REFRESH_RETRY_WINDOW: '0',
      },
    });
    admin = await login(app.url, await registerVerified(app.url, mail, adminEmail), 'admin');
    const other = await login(app.url, await registerVerified(app.url, mail), 'bystander');
    bystander = await connect(other);
  });

  afterEach(async () => {
    // Another user's socket never hears of these revocations and stays connected.
    await expectUntouched(bystander);
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await app?.close();
    await mail.stop();
  });

  it('logout: every socket of that session hears `logout` (scope session), the others nothing', async () => {
    const { sessions, sockets } = await userWithSockets(2);
    const [a, b] = sessions as [LoggedIn, LoggedIn];
    const secondTabOfA = await connect(a);

    const startedAt = Date.now();
    await request(app.url).post('/auth/logout').set(bearer(a.accessToken)).expect(204);

    const expected = { scope: 'session', session_id: a.sessionId, reason: 'logout' } as const;
    await expectRevoked(sockets[0]!, expected, startedAt);
    await expectRevoked(secondTabOfA, expected, startedAt);
    await expectUntouched(sockets[1]!);
    await request(app.url).get('/auth/me').set(bearer(b.accessToken)).expect(200);
  });

  it('logout-all: every socket of the user hears `logout_all` (scope user)', async () => {
    const { sessions, sockets } = await userWithSockets(3);

    const startedAt = Date.now();
    await request(app.url)
      .post('/auth/logout-all')
      .set(bearer(sessions[0]!.accessToken))
      .expect(204);

    for (const socket of sockets) {
      await expectRevoked(socket, { scope: 'user', reason: 'logout_all' }, startedAt);
    }
  });

  it('revoking one listed session: only its sockets hear `session_revoked`', async () => {
    const { sessions, sockets } = await userWithSockets(2);
    const [a, b] = sessions as [LoggedIn, LoggedIn];

    const startedAt = Date.now();
    await request(app.url)
      .delete(`/auth/sessions/${b.sessionId}`)
      .set(bearer(a.accessToken))
      .expect(204);

    await expectRevoked(
      sockets[1]!,
      { scope: 'session', session_id: b.sessionId, reason: 'session_revoked' },
      startedAt,
    );
    await expectUntouched(sockets[0]!);
  });

  it('password change: the other sessions hear `password_changed`; the current one stays connected', async () => {
    const { creds, sessions, sockets } = await userWithSockets(3);
    const current = sessions[0]!;
    const secondTabOfCurrent = await connect(current);

    const startedAt = Date.now();
    await request(app.url)
      .post('/auth/change-password')
      .set(bearer(current.accessToken))
      .send({ current_password: creds.password, new_password: `${GOOD_PASSWORD} changed` })
      .expect(204);

    for (const socket of sockets.slice(1)) {
      await expectRevoked(socket, { scope: 'user', reason: 'password_changed' }, startedAt);
    }
    await expectUntouched(sockets[0]!, secondTabOfCurrent);
  });

  it('password reset: every socket of the user hears `password_reset`', async () => {
    const { creds, sockets } = await userWithSockets(2);
    await request(app.url).post('/auth/forgot-password').send({ email: creds.email }).expect(202);
    const token = await mailedToken(mail, creds.email, 'reset-password');

    const startedAt = Date.now();
    await request(app.url)
      .post('/auth/reset-password')
      .send({ token, new_password: `${GOOD_PASSWORD} reset` })
      .expect(204);

    for (const socket of sockets) {
      await expectRevoked(socket, { scope: 'user', reason: 'password_reset' }, startedAt);
    }
  });

  it('refresh-token reuse: the sockets of the compromised session hear `refresh_reused`', async () => {
    const { sessions, sockets } = await userWithSockets(2);
    const [a] = sessions as [LoggedIn, LoggedIn];
    // The socket keeps the first access token: rotation does not change the session.
    await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: a.refreshToken })
      .expect(200);

    const startedAt = Date.now();
    const reuse = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: a.refreshToken });
    expect(reuse.body.code).toBe('refresh_reused');

    await expectRevoked(
      sockets[0]!,
      { scope: 'session', session_id: a.sessionId, reason: 'refresh_reused' },
      startedAt,
    );
    await expectUntouched(sockets[1]!);
  });

  it('admin lock: every socket of the user hears `account_locked`', async () => {
    const { sessions, sockets } = await userWithSockets(2);
    const me = await request(app.url).get('/auth/me').set(bearer(sessions[0]!.accessToken));
    expect(me.status).toBe(200);

    const startedAt = Date.now();
    await request(app.url)
      .post(`/admin/users/${me.body.id}/lock`)
      .set(bearer(admin.accessToken))
      .expect(204);

    for (const socket of sockets) {
      await expectRevoked(socket, { scope: 'user', reason: 'account_locked' }, startedAt);
    }
  });

  it('the account page loads the socket.io browser client and the sessions-socket script', async () => {
    const page = await request(app.url).get('/account').expect(200);
    const scripts = [...page.text.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    // The socket client and its helper load before the page's own script.
    expect(scripts.indexOf('/socket.io/socket.io.min.js')).toBe(0);
    expect(scripts.indexOf('/sessions-socket.js')).toBe(1);
    expect(scripts).toContain('/app.js');
    for (const src of scripts) {
      const res = await request(app.url).get(src!).expect(200);
      expect(res.headers['content-type']).toMatch(/javascript/);
    }
    expect((await request(app.url).get('/sessions-socket.js')).text).toContain('watchSessions');
  });
});
