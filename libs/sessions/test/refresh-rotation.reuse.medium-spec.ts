/**
 * Refresh-token reuse. A refresh token is one-time: once rotated, only a copy can present it
 * again, and the server cannot tell whether the copy belongs to the client or to a thief who
 * stole it (XSS, a leaked backup, a logged request). So a rotated token coming back kills the
 * whole family: the session becomes `compromised`, its newest refresh token stops working
 * (otherwise the thief, having refreshed first, keeps a live family), every access token of
 * the session is denylisted at once, and the event is recorded for the SOC.
 *
 * Answers (API.md, "Details"): the rotated token answers `refresh_reused`, every time; the
 * newest token of the killed family was never rotated, so it answers `refresh_invalid`, like
 * the token of any family that was revoked. The stale copy comes back after
 * `REFRESH_RETRY_WINDOW` here (the app's clock is moved past it): inside the window an unused
 * successor is answered again instead (refresh-fast-path.agreement.medium-spec.ts).
 */
import { ManualClock } from '@identity/testing';
import {
  accessState,
  auditOf,
  CLIENT,
  createUser,
  openSession,
  refreshOutcome,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
  tokenStatuses,
} from './sessions-test-app';

describe('refresh rotation: reuse kills the family', () => {
  const clock = new ManualClock();
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_reuse', {}, { clock });
  });

  afterAll(async () => {
    await app.close();
  });

  async function stolenThenRotated() {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    clock.advance(1);
    // The legitimate client (or the thief, whoever is first) rotates; the other copy is stale.
    const rotated = await app.sessions.refresh(login.refreshToken, CLIENT);
    clock.advance(app.config.sessions.retryWindow + 1);
    return { userId, login, rotated };
  }

  it('answers a rotated token with refresh_reused and marks the session compromised', async () => {
    const { login } = await stolenThenRotated();
    expect(await refreshOutcome(app, login.refreshToken, { ip: '192.0.2.66' })).toBe(
      'session.refresh_reused',
    );
    const row = await sessionRow(app, login.sessionId);
    expect(row).toMatchObject({ status: 'compromised', revoked_reason: 'refresh_reused' });
    expect(row.revoked_at).toBeInstanceOf(Date);
    expect(await tokenStatuses(app, login.sessionId)).toEqual(['used', 'revoked']);
  });

  it('refuses the newest token of the family afterwards (refresh_invalid)', async () => {
    const { login, rotated } = await stolenThenRotated();
    expect(await refreshOutcome(app, login.refreshToken)).toBe('session.refresh_reused');
    expect(await refreshOutcome(app, rotated.refreshToken)).toBe('session.refresh_invalid');
  });

  it('denylists every access token of the session', async () => {
    const { login, rotated } = await stolenThenRotated();
    expect(await accessState(app, rotated.accessToken)).toBe('ok');
    await refreshOutcome(app, login.refreshToken);
    expect(await accessState(app, login.accessToken)).toBe('revoked');
    expect(await accessState(app, rotated.accessToken)).toBe('revoked');
  });

  it('records auth.refresh.reused and session.revoked, committed despite the error', async () => {
    const { userId, login } = await stolenThenRotated();
    await refreshOutcome(app, login.refreshToken, { ip: '192.0.2.66' });
    const events = await auditOf(app, userId);
    expect(events.map((e) => e.type)).toEqual(['auth.refresh.reused', 'session.revoked']);
    expect(events[0]).toMatchObject({ session_id: login.sessionId });
    expect(events[0]!.ip_hash).toEqual(expect.any(String));
    expect(events[1]).toMatchObject({
      session_id: login.sessionId,
      metadata: { scope: 'session', reason: 'refresh_reused', sessionIds: [login.sessionId] },
    });
  });

  it('answers a replay of a killed family again, without new side effects', async () => {
    const { userId, login } = await stolenThenRotated();
    expect(await refreshOutcome(app, login.refreshToken)).toBe('session.refresh_reused');
    const before = await sessionRow(app, login.sessionId);
    expect(await refreshOutcome(app, login.refreshToken)).toBe('session.refresh_reused');
    expect(await refreshOutcome(app, login.refreshToken)).toBe('session.refresh_reused');
    expect(await auditOf(app, userId)).toHaveLength(2);
    expect(await sessionRow(app, login.sessionId)).toEqual(before);
  });

  it('leaves the user’s other sessions alone', async () => {
    const { userId, login } = await stolenThenRotated();
    const phone = await openSession(app, userId);
    await refreshOutcome(app, login.refreshToken);
    expect(await accessState(app, phone.accessToken)).toBe('ok');
    expect(await refreshOutcome(app, phone.refreshToken)).toBe('ok');
  });

  it('answers an unknown token with refresh_invalid', async () => {
    expect(await refreshOutcome(app, 'A'.repeat(43))).toBe('session.refresh_invalid');
    expect(await refreshOutcome(app, '')).toBe('session.refresh_invalid');
  });
});
