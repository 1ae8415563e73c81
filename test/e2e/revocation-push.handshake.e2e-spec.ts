/**
 * Who may listen on `/sessions`. The attack: a client that holds a revoked, expired or forged
 * access token (or none) opens a socket anyway, to look signed in, or a foreign page uses the
 * victim's cookie to open one. The handshake runs the platform's one `authenticate()` (token
 * in `auth.token`, else the access cookie), also asks Postgres whether the session still
 * lives (so a lost denylist entry does not let a revoked session back in), admits browsers
 * only from the app's own origins (APP_URL, CORS_ORIGINS, and the address the page was served
 * from), and refuses everything else with `connect_error`
 * `unauthorized`.
 */
import { generateKeyPair, SignJWT } from 'jose';
import Redis from 'ioredis';
import request from 'supertest';
import {
  login,
  type LoggedIn,
  MailCatcher,
  registerVerified,
  TEST_REDIS_URL,
} from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { startTestApp, type TestApp } from '../support/app';

function decodePart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8'));
}

const encodePart = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

describe('the /sessions handshake', () => {
  let app: TestApp;
  const mail = new MailCatcher();
  const clients: SessionsSocketClient[] = [];

  async function connect(
    options: Parameters<typeof SessionsSocketClient.connect>[1],
  ): Promise<SessionsSocketClient> {
    const client = await SessionsSocketClient.connect(app.url, options);
    clients.push(client);
    return client;
  }

  const expectRefused = (options: Parameters<typeof SessionsSocketClient.connect>[1]) =>
    expect(connect(options)).rejects.toThrow(/^unauthorized$/);

  async function freshSession(): Promise<LoggedIn> {
    return login(app.url, await registerVerified(app.url, mail));
  }

  beforeAll(async () => {
    const port = await mail.start();
    app = await startTestApp({
      label: 'push-handshake',
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, CORS_ORIGINS: 'https://partner.example' },
    });
  });

  afterAll(async () => {
    for (const client of clients) client.close();
    await app?.close();
    await mail.stop();
  });

  it('admits a valid access token sent as auth.token', async () => {
    const client = await connect({ token: (await freshSession()).accessToken });
    expect(client.connected).toBe(true);
  });

  it('admits the access cookie of cookie mode', async () => {
    const creds = await registerVerified(app.url, mail);
    const res = await request(app.url)
      .post('/auth/login')
      .set('X-Auth-Transport', 'cookie')
      .send(creds)
      .expect(200);
    const setCookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const access = setCookies.find((c) => c.startsWith('__Host-access_token='));
    expect(access).toBeDefined();
    const cookie = access!.split(';')[0]!;
    const client = await connect({ cookie: `theme=dark; ${cookie}` });
    expect(client.connected).toBe(true);
    await expectRefused({ cookie: 'theme=dark; __Host-access_token=not-a-token' });
  });

  it('refuses a missing or garbage token with `unauthorized`', async () => {
    await expectRefused({});
    await expectRefused({ token: 'garbage' });
    await expectRefused({ token: 'a.b.c' });
    await expectRefused({ token: 'x'.repeat(10_000) });
  });

  it('refuses forged tokens: a tampered payload, alg none, a key of our own', async () => {
    const { accessToken } = await freshSession();
    const victim = await freshSession();
    const [header, , signature] = accessToken.split('.') as [string, string, string];
    const claims = decodePart(accessToken, 1);
    const victimSub = decodePart(victim.accessToken, 1).sub;

    // Someone else's user id under the original signature.
    await expectRefused({
      token: `${header}.${encodePart({ ...claims, sub: victimSub })}.${signature}`,
    });
    // A later expiry under the original signature.
    const later = { ...claims, exp: (claims.exp as number) + 3600 };
    await expectRefused({ token: `${header}.${encodePart(later)}.${signature}` });
    // alg none, no signature.
    const none = { ...decodePart(accessToken, 0), alg: 'none' };
    await expectRefused({ token: `${encodePart(none)}.${encodePart(claims)}.` });
    // Well-formed and signed, with the platform's kid, by a key that is not the platform's.
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ ...claims })
      .setProtectedHeader({ ...decodePart(accessToken, 0), alg: 'ES256' })
      .sign(privateKey);
    await expectRefused({ token: forged });
  });

  it('refuses a revoked token (logout), by token and by cookie', async () => {
    const session = await freshSession();
    await request(app.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${session.accessToken}`)
      .expect(204);
    await expectRefused({ token: session.accessToken });
    await expectRefused({ cookie: `__Host-access_token=${session.accessToken}` });
  });

  it('refuses a revoked session even when its denylist entries are lost (Redis flushed)', async () => {
    const creds = await registerVerified(app.url, mail);
    const session = await login(app.url, creds);
    const other = await login(app.url, creds);
    await request(app.url)
      .delete(`/auth/sessions/${session.sessionId}`)
      .set('Authorization', `Bearer ${other.accessToken}`)
      .expect(204);
    const redis = new Redis(TEST_REDIS_URL);
    try {
      const keys = await redis.keys(`${app.config.redis.keyPrefix}deny:*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
    // The entries are gone with the completeness key, so authenticate() asks Postgres, which
    // still says the session is dead: refused by the REST face and the socket alike.
    await request(app.url)
      .get('/auth/me')
      .set('Authorization', `Bearer ${session.accessToken}`)
      .expect(401);
    await expectRefused({ token: session.accessToken });
  });

  it('admits browsers only from APP_URL and CORS_ORIGINS', async () => {
    const { accessToken } = await freshSession();
    const own = new URL(app.config.appUrl).origin;
    expect((await connect({ token: accessToken, origin: own })).connected).toBe(true);
    const partner = await connect({ token: accessToken, origin: 'https://partner.example' });
    expect(partner.connected).toBe(true);
    await expect(connect({ token: accessToken, origin: 'https://evil.example' })).rejects.toThrow();
  });

  it('admits a page served by this server at the address it was opened at (its own origin), and nothing near it', async () => {
    const { accessToken } = await freshSession();
    // APP_URL names another address (no APP_URL and an ephemeral port: localhost:3000).
    const served = new URL(app.url);
    expect(served.origin).not.toBe(new URL(app.config.appUrl).origin);
    expect((await connect({ token: accessToken, origin: served.origin })).connected).toBe(true);
    const otherPort = `${served.protocol}//${served.hostname}:${Number(served.port) + 1}`;
    await expect(connect({ token: accessToken, origin: otherPort })).rejects.toThrow();
    await expect(
      connect({
        token: accessToken,
        origin: `http://${served.hostname}.evil.example:${served.port}`,
      }),
    ).rejects.toThrow();
  });
});
