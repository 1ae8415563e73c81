/**
 * Refresh-token rotation, the happy path. Each exchange must spend the presented token and
 * hand out a new one of the same family (so a stolen copy is worth one use at most), and every
 * access token must speak for exactly its session: `sid` is the session, `amr` is what the
 * login proved (a refresh must never upgrade or drop a factor), and `roles` are the user's
 * roles as they are at the time of the refresh (a revoked role stops at the next refresh).
 */
import {
  CLIENT,
  createUser,
  openSession,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
} from './sessions-test-app';

describe('refresh rotation: chain', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_chain');
  });

  afterAll(async () => {
    await app.close();
  });

  it('open → refresh → refresh: each step a new refresh token, same session, verifiable access token', async () => {
    const userId = await createUser(app, ['user', 'admin']);
    const first = await openSession(app, userId, { amr: ['pwd', 'otp'] });
    const second = await app.sessions.refresh(first.refreshToken, CLIENT);
    const third = await app.sessions.refresh(second.refreshToken, CLIENT);

    const refreshTokens = new Set([first, second, third].map((p) => p.refreshToken));
    expect(refreshTokens.size).toBe(3);
    for (const pair of [first, second, third]) {
      expect(pair).toMatchObject({
        tokenType: 'Bearer',
        sessionId: first.sessionId,
        expiresIn: app.config.jwt.accessTtl,
      });
      expect(pair.refreshToken).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
      const verified = await app.tokens.verify(pair.accessToken);
      expect(verified).toMatchObject({
        ok: true,
        claims: {
          sub: userId,
          sid: first.sessionId,
          jti: pair.accessJti,
          amr: ['pwd', 'otp'],
          roles: ['admin', 'user'],
        },
      });
    }
  });

  it('spends every rotated token and links the family by parent', async () => {
    const userId = await createUser(app);
    const first = await openSession(app, userId);
    const second = await app.sessions.refresh(first.refreshToken, CLIENT);
    await app.sessions.refresh(second.refreshToken, CLIENT);

    const rows = await app.sql.query<{ id: string; parent_id: string | null; status: string }[]>(
      `SELECT id, parent_id, status, used_at FROM refresh_tokens WHERE session_id = $1 ORDER BY created_at`,
      [first.sessionId],
    );
    expect(rows.map((r) => r.status)).toEqual(['used', 'used', 'active']);
    expect(rows[0]!.parent_id).toBeNull();
    expect(rows[1]!.parent_id).toBe(rows[0]!.id);
    expect(rows[2]!.parent_id).toBe(rows[1]!.id);
  });

  it('puts the roles of the moment into the refreshed access token', async () => {
    const userId = await createUser(app, ['user', 'admin']);
    const first = await openSession(app, userId);
    // The roles are cached by now (the first token's minting warms the access cache): the
    // change must reach the next token all the same.
    await app.access.currentAccess(userId);
    await app.access.setUserRoles({ userId, roles: ['user'] });
    const next = await app.sessions.refresh(first.refreshToken, CLIENT);
    expect(await app.tokens.verify(next.accessToken)).toMatchObject({
      ok: true,
      claims: { roles: ['user'], amr: ['pwd'] },
    });
    await app.access.setUserRoles({ userId, roles: ['admin', 'user'] });
    const third = await app.sessions.refresh(next.refreshToken, CLIENT);
    expect(await app.tokens.verify(third.accessToken)).toMatchObject({
      ok: true,
      claims: { roles: ['admin', 'user'] },
    });
  });

  it('records the refresh: last_used_at moves, the client seen last is kept', async () => {
    const userId = await createUser(app);
    const first = await openSession(app, userId, { deviceName: '  Work laptop  ' });
    const before = await sessionRow(app, first.sessionId);
    await new Promise((r) => setTimeout(r, 20));
    await app.sessions.refresh(first.refreshToken, { ip: '198.51.100.9', userAgent: 'curl/8' });
    const after = await sessionRow(app, first.sessionId);

    expect(before.device_name).toBe('Work laptop');
    expect(after.last_used_at.getTime()).toBeGreaterThan(before.last_used_at.getTime());
    expect(after.user_agent).toBe('curl/8');
    expect(after.ip_hash).not.toBe(before.ip_hash);
    expect(after.created_at).toEqual(before.created_at);
  });

  it('caps what the client sends: device name at 100, user agent at 512 characters', async () => {
    const userId = await createUser(app);
    const pair = await openSession(app, userId, {
      deviceName: 'd'.repeat(300),
      client: { ip: CLIENT.ip, userAgent: 'a'.repeat(5_000) },
    });
    const row = await sessionRow(app, pair.sessionId);
    expect(row.device_name).toHaveLength(100);
    expect(row.user_agent).toHaveLength(512);
  });
});
