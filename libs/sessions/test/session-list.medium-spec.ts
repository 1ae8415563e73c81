/**
 * Listing sessions (`GET /auth/sessions`). The list is what a user relies on to spot a login
 * that is not theirs and to check that "revoke" worked, so it must show exactly the sessions
 * that could still act (active, before the absolute expiry, within the idle window) and only
 * the user's own: a revoked, compromised, expired or idle session shown as live would hide
 * whether a revocation took; another user's session shown would leak their devices.
 */
import {
  createUser,
  openSession,
  refreshOutcome,
  type SessionsTestApp,
  shiftSession,
  startSessionsApp,
} from './sessions-test-app';

describe('list sessions', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    // The window off: a stale token that comes back at once is reuse, so the compromised
    // families these tests need are made on the spot.
    app = await startSessionsApp('sessions_list', {
      REFRESH_IDLE_TTL: '3600',
      REFRESH_RETRY_WINDOW: '0',
    });
  });

  afterAll(async () => {
    await app.close();
  });

  it('shows live sessions only, newest first, and only the user’s', async () => {
    const userId = await createUser(app);
    const other = await createUser(app);
    const oldest = await openSession(app, userId, { deviceName: 'oldest' });
    const revoked = await openSession(app, userId);
    const compromised = await openSession(app, userId);
    const expired = await openSession(app, userId);
    const idle = await openSession(app, userId);
    const newest = await openSession(app, userId, { deviceName: 'newest' });
    await openSession(app, other);

    await app.sessions.revoke(userId, revoked.sessionId);
    const rotated = await app.sessions.refresh(compromised.refreshToken, { ip: '192.0.2.1' });
    expect(rotated.sessionId).toBe(compromised.sessionId);
    expect(await refreshOutcome(app, compromised.refreshToken)).toBe('session.refresh_reused');
    await shiftSession(app, expired.sessionId, { expiresInSeconds: -1 });
    await shiftSession(app, idle.sessionId, { lastUsedSecondsAgo: 3_601 });

    const listed = await app.sessions.list(userId);
    expect(listed.map((s) => s.id)).toEqual([newest.sessionId, oldest.sessionId]);
    expect(listed[0]).toEqual({
      id: newest.sessionId,
      deviceName: 'newest',
      userAgent: 'Mozilla/5.0 (jest)',
      createdAt: expect.any(Date),
      lastUsedAt: expect.any(Date),
    });
    expect(await app.sessions.isActive(newest.sessionId)).toBe(true);
    for (const dead of [revoked, compromised, expired, idle]) {
      expect(await app.sessions.isActive(dead.sessionId)).toBe(false);
    }
  });

  it('returns [] for a user without sessions', async () => {
    expect(await app.sessions.list(await createUser(app))).toEqual([]);
    expect(await app.sessions.isActive('00000000-0000-4000-8000-000000000000')).toBe(false);
  });
});
