/**
 * Purging dead sessions. The purge deletes rows, so its danger is deleting too much: a live
 * session deleted is a user logged out, and a revoked family deleted too early forgets its
 * spent tokens, so a late replay of a stolen token would meet "unknown" instead of being
 * recognised. It must delete only families expired more than a day ago, or revoked/compromised
 * more than `REFRESH_TOKEN_TTL` ago, and their tokens with them.
 */
import {
  createUser,
  openSession,
  refreshOutcome,
  type SessionsTestApp,
  shiftSession,
  startSessionsApp,
} from './sessions-test-app';

const REFRESH_TTL = 7_200;
const DAY = 86_400;

describe('session purge', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    // The window off: a stale token that comes back at once is reuse, so the compromised
    // families these tests need are made on the spot.
    app = await startSessionsApp('sessions_purge', {
      REFRESH_TOKEN_TTL: String(REFRESH_TTL),
      REFRESH_RETRY_WINDOW: '0',
    });
  });

  afterAll(async () => {
    await app.close();
  });

  async function exists(sessionId: string): Promise<boolean> {
    const rows = await app.sql.query<unknown[]>(`SELECT 1 FROM sessions WHERE id = $1`, [
      sessionId,
    ]);
    return rows.length > 0;
  }

  it('deletes only long-expired and long-revoked families, with their tokens', async () => {
    const userId = await createUser(app);
    const live = await openSession(app, userId);
    const expiredLongAgo = await openSession(app, userId);
    const expiredRecently = await openSession(app, userId);
    const revokedLongAgo = await openSession(app, userId);
    const revokedRecently = await openSession(app, userId);
    const compromisedLongAgo = await openSession(app, userId);

    await shiftSession(app, expiredLongAgo.sessionId, { expiresInSeconds: -DAY - 60 });
    await shiftSession(app, expiredRecently.sessionId, { expiresInSeconds: -DAY + 60 });
    await app.sessions.revoke(userId, revokedLongAgo.sessionId);
    await app.sessions.revoke(userId, revokedRecently.sessionId);
    await shiftSession(app, revokedLongAgo.sessionId, { revokedSecondsAgo: REFRESH_TTL + 60 });
    await shiftSession(app, revokedRecently.sessionId, { revokedSecondsAgo: REFRESH_TTL - 60 });
    await app.sessions.refresh(compromisedLongAgo.refreshToken, { ip: '192.0.2.1' });
    expect(await refreshOutcome(app, compromisedLongAgo.refreshToken)).toBe(
      'session.refresh_reused',
    );
    await shiftSession(app, compromisedLongAgo.sessionId, { revokedSecondsAgo: REFRESH_TTL + 60 });

    expect(await app.purge.purgeOnce()).toBe(3);

    expect(await exists(live.sessionId)).toBe(true);
    expect(await exists(expiredRecently.sessionId)).toBe(true);
    expect(await exists(revokedRecently.sessionId)).toBe(true);
    expect(await exists(expiredLongAgo.sessionId)).toBe(false);
    expect(await exists(revokedLongAgo.sessionId)).toBe(false);
    expect(await exists(compromisedLongAgo.sessionId)).toBe(false);
    const orphans = await app.sql.query<unknown[]>(
      `SELECT 1 FROM refresh_tokens WHERE session_id = ANY($1::uuid[])`,
      [[expiredLongAgo, revokedLongAgo, compromisedLongAgo].map((p) => p.sessionId)],
    );
    expect(orphans).toHaveLength(0);
    expect(await refreshOutcome(app, live.refreshToken)).toBe('ok');
    expect(await app.purge.purgeOnce()).toBe(0);
  });
});
