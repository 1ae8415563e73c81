/**
 * Session lifetime. A stolen refresh token must not buy eternal access: rotation hands out a
 * new token each time, so if each new token also pushed the family's end further, a thief
 * refreshing regularly would never be logged out. The family therefore has an absolute
 * lifetime fixed at login (rotation never extends it) and an idle timeout (a family nobody
 * refreshed for `REFRESH_IDLE_TTL` dies). Both answer `refresh_invalid` (API.md).
 *
 * Time is moved with the app's clock, never slept through.
 */
import { ManualClock } from '@identity/testing';
import {
  CLIENT,
  createUser,
  openSession,
  refreshOutcome,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
} from './sessions-test-app';

const LIFETIME = 86_400;
const IDLE = 3_600;

describe('session lifetime', () => {
  const clock = new ManualClock();
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp(
      'sessions_lifetime',
      { REFRESH_TOKEN_TTL: String(LIFETIME), REFRESH_IDLE_TTL: String(IDLE) },
      { clock },
    );
  });

  afterAll(async () => {
    await app.close();
  });

  it('fixes expires_at at login; rotation never moves it, refresh_expires_in counts down', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    const { expires_at: fixed, created_at: createdAt } = await sessionRow(app, login.sessionId);
    expect(fixed.getTime() - createdAt.getTime()).toBe(LIFETIME * 1000);
    expect(login.refreshExpiresIn).toBe(LIFETIME);

    let pair = login;
    for (let i = 1; i <= 3; i++) {
      clock.advance(600);
      pair = await app.sessions.refresh(pair.refreshToken, CLIENT);
      expect((await sessionRow(app, login.sessionId)).expires_at).toEqual(fixed);
      expect(pair.refreshExpiresIn).toBe(LIFETIME - 600 * i);
    }
    const tokens = await app.sql.query<{ expires_at: Date }[]>(
      `SELECT expires_at FROM refresh_tokens WHERE session_id = $1`,
      [login.sessionId],
    );
    expect(tokens.map((t) => t.expires_at)).toEqual(Array(4).fill(fixed));
  });

  it('a family refreshed within its lifetime still dies at login + lifetime, at that instant', async () => {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    let pair = login;
    // Refreshed every 50 minutes (never idle) for the whole day.
    for (let elapsed = 3_000; elapsed < LIFETIME; elapsed += 3_000) {
      clock.advance(3_000);
      pair = await app.sessions.refresh(pair.refreshToken, CLIENT);
    }
    expect(pair.refreshExpiresIn).toBe(LIFETIME % 3_000 || 3_000);
    clock.advance(pair.refreshExpiresIn - 1);
    const last = await app.sessions.refresh(pair.refreshToken, CLIENT);
    expect(last.refreshExpiresIn).toBe(1);
    clock.advance(1);
    expect(await refreshOutcome(app, last.refreshToken)).toBe('session.refresh_invalid');
    // An expired family is dead, not compromised: a stale token there is no theft signal.
    expect(await refreshOutcome(app, login.refreshToken)).toBe('session.refresh_invalid');
    expect((await sessionRow(app, login.sessionId)).status).toBe('active');
  });

  it('refuses a family idle for longer than the idle timeout; one refreshed at its edge lives on', async () => {
    const userId = await createUser(app);
    const idle = await openSession(app, userId);
    const busy = await openSession(app, userId);
    clock.advance(IDLE);
    // Live up to the idle limit itself (the boundary judgeRefresh and the SQL share).
    const next = await app.sessions.refresh(busy.refreshToken, CLIENT);
    expect((await sessionRow(app, busy.sessionId)).last_used_at).toEqual(clock.now());
    clock.advance(1);
    expect(await refreshOutcome(app, idle.refreshToken)).toBe('session.refresh_invalid');
    expect(await refreshOutcome(app, next.refreshToken)).toBe('ok');
  });
});
