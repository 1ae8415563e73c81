/**
 * A socket lives no longer than its access token. The attack: a token is revoked in a way
 * the push cannot announce (a lost Redis, a revocation on a path without an event), or simply
 * runs out, and a socket opened with it stays connected for days, a listener nobody vouches
 * for. The rule: at the token's `exp` the socket gets `expired` and is disconnected, unless the
 * client presented a fresh access token of the same session (`authenticate`, acked) before;
 * an expired token cannot connect at all. Runs with a 3 s access-token lifetime.
 */
import request from 'supertest';
import { login, type LoggedIn, MailCatcher, registerVerified } from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { startTestApp, type TestApp } from '../support/app';

const ACCESS_TTL_S = 3;
/** Timers fire a little late, never early; the handshake and the event take a few ms. */
const SLACK_MS = 600;

const expiryOf = (token: string): number =>
  (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { exp: number })
    .exp * 1000;

const sleepUntil = (epochMs: number) =>
  new Promise((r) => setTimeout(r, Math.max(0, epochMs - Date.now())));

describe('socket lifetime follows the access token', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  const clients: SessionsSocketClient[] = [];

  async function connect(token: string): Promise<SessionsSocketClient> {
    const client = await SessionsSocketClient.connect(app.url, { token });
    clients.push(client);
    return client;
  }

  async function refreshed(session: LoggedIn): Promise<string> {
    const res = await request(app.url)
      .post('/auth/refresh')
      .send({ refresh_token: session.refreshToken })
      .expect(200);
    return res.body.access_token as string;
  }

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'push-expiry',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, ACCESS_TOKEN_TTL: String(ACCESS_TTL_S) },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await app?.close();
    await mail.stop();
  });

  it('disconnects at the token expiry with `expired`; the expired token cannot reconnect', async () => {
    const session = await login(app.url, await registerVerified(app.url, mail));
    const exp = expiryOf(session.accessToken);
    const client = await connect(session.accessToken);

    const { payload, receivedAt } = await client.next('expired', ACCESS_TTL_S * 1000 + SLACK_MS);
    expect(payload).toEqual({ at: new Date(exp).toISOString() });
    expect(receivedAt).toBeGreaterThanOrEqual(exp);
    expect(receivedAt).toBeLessThan(exp + SLACK_MS);
    expect(await client.disconnected()).toBe('io server disconnect');
    expect(client.received.map((r) => r.event)).toEqual(['expired']);

    await expect(connect(session.accessToken)).rejects.toThrow(/^unauthorized$/);
  });

  it('a fresh token of the same session, sent before expiry, keeps the socket until the new expiry', async () => {
    const session = await login(app.url, await registerVerified(app.url, mail));
    const firstExp = expiryOf(session.accessToken);
    const client = await connect(session.accessToken);
    // A token minted a second later expires a second later (exp has whole seconds).
    await sleepUntil(firstExp - (ACCESS_TTL_S - 1) * 1000 + 50);
    const fresh = await refreshed(session);
    const freshExp = expiryOf(fresh);
    expect(freshExp).toBeGreaterThan(firstExp);

    await expect(client.renew(fresh)).resolves.toEqual({
      ok: true,
      expires_at: new Date(freshExp).toISOString(),
    });

    await sleepUntil(firstExp + 300);
    expect(client.connected).toBe(true);
    expect(client.received).toEqual([]);

    const { payload, receivedAt } = await client.next('expired', freshExp - Date.now() + SLACK_MS);
    expect(payload.at).toBe(new Date(freshExp).toISOString());
    expect(receivedAt).toBeGreaterThanOrEqual(freshExp);
    expect(await client.disconnected()).toBe('io server disconnect');
  });

  it('declines a renewal with a token of another session, a forged one or none; the old expiry stands', async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const otherSession = await login(app.url, creds);
    const exp = expiryOf(session.accessToken);
    const client = await connect(session.accessToken);

    await expect(client.renew(otherSession.accessToken)).resolves.toEqual({
      ok: false,
      error: 'session_mismatch',
    });
    const [header, payload] = session.accessToken.split('.');
    await expect(client.renew(`${header}.${payload}.forged`)).resolves.toEqual({
      ok: false,
      error: 'unauthorized',
    });
    await expect(client.renew('')).resolves.toEqual({ ok: false, error: 'unauthorized' });
    await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${otherSession.accessToken}`)
      .expect(204);
    // Revoked by now, though of another session: refused as a token first.
    await expect(client.renew(otherSession.accessToken)).resolves.toEqual({
      ok: false,
      error: 'unauthorized',
    });

    const { receivedAt } = await client.next('expired', exp - Date.now() + SLACK_MS);
    expect(receivedAt).toBeGreaterThanOrEqual(exp);
    expect(receivedAt).toBeLessThan(exp + SLACK_MS);
  });
});
