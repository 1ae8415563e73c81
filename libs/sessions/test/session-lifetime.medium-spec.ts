/**
 * Session lifetime. A stolen refresh token must not buy eternal access: rotation hands out a
 * new token each time, so if each new token also pushed the family's end further, a thief
 * refreshing regularly would never be logged out. The family therefore has an absolute
 * lifetime fixed at login (rotation never extends it) and an idle timeout (a family nobody
 * refreshed for `REFRESH_IDLE_TTL` dies). Both answer `refresh_invalid` (API.md).
 */
import {
  CLIENT,
  createUser,
  openSession,
  refreshOutcome,
  sessionRow,
  type SessionsTestApp,
  shiftSession,
  startSessionsApp,
} from './sessions-test-app';

describe('session lifetime (clocks moved by SQL)', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_lifetime', {
      REFRESH_TOKEN_TTL: '86400',
      REFRESH_IDLE_TTL: '3600',
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('fixes expires_at at login; rotation never moves it, refresh_expires_in counts down', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    const { expires_at: fixed, created_at: createdAt } = await sessionRow(app, login.sessionId);
    expect(fixed.getTime() - createdAt.getTime()).toBe(86_400_000);
    expect(login.refreshExpiresIn).toBeGreaterThanOrEqual(86_399);
    expect(login.refreshExpiresIn).toBeLessThanOrEqual(86_400);

    let pair = login;
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 400));
      pair = await app.sessions.refresh(pair.refreshToken, CLIENT);
      expect((await sessionRow(app, login.sessionId)).expires_at).toEqual(fixed);
    }
    expect(pair.refreshExpiresIn).toBeLessThan(login.refreshExpiresIn);
    const tokens = await app.sql.query<{ expires_at: Date }[]>(
      `SELECT expires_at FROM refresh_tokens WHERE session_id = $1`,
      [login.sessionId],
    );
    expect(tokens.map((t) => t.expires_at)).toEqual(Array(4).fill(fixed));
  });

  it('refuses a family past its absolute expiry, even a freshly rotated token', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    const rotated = await app.sessions.refresh(login.refreshToken, CLIENT);
    await shiftSession(app, login.sessionId, { expiresInSeconds: -1 });
    expect(await refreshOutcome(app, rotated.refreshToken)).toBe('session.refresh_invalid');
    // An expired family is dead, not compromised: a stale token there is no theft signal.
    expect(await refreshOutcome(app, login.refreshToken)).toBe('session.refresh_invalid');
    expect((await sessionRow(app, login.sessionId)).status).toBe('active');
  });

  it('refuses an idle family; a refresh just inside the idle window restarts it', async () => {
    const userId = await createUser(app);
    const idle = await openSession(app, userId);
    await shiftSession(app, idle.sessionId, { lastUsedSecondsAgo: 3_601 });
    expect(await refreshOutcome(app, idle.refreshToken)).toBe('session.refresh_invalid');

    const busy = await openSession(app, userId);
    await shiftSession(app, busy.sessionId, { lastUsedSecondsAgo: 3_500 });
    const next = await app.sessions.refresh(busy.refreshToken, CLIENT);
    const row = await sessionRow(app, busy.sessionId);
    expect(Date.now() - row.last_used_at.getTime()).toBeLessThan(5_000);
    expect(await refreshOutcome(app, next.refreshToken)).toBe('ok');
  });
});

describe('session lifetime (real clock, REFRESH_TOKEN_TTL=2)', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_lifetime_short', { REFRESH_TOKEN_TTL: '2' });
  });

  afterAll(async () => {
    await app.close();
  });

  it('a family refreshed within its lifetime still dies at login + 2 s', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    expect(login.refreshExpiresIn).toBeLessThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1_000));
    const rotated = await app.sessions.refresh(login.refreshToken, CLIENT);
    expect(rotated.refreshExpiresIn).toBeLessThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await refreshOutcome(app, rotated.refreshToken)).toBe('session.refresh_invalid');
  });
});
