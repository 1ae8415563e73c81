/**
 * Logout. After logout neither half of the token pair may work: the refresh token (else a
 * copy renews the session) and the access token (else a copy keeps calling APIs until `exp`).
 * Logout is idempotent, so a client retrying after a timeout is never told it failed. With
 * a user given (an authenticated logout), a session id or refresh token of somebody else must
 * end nothing: one user must not log another out by naming the session.
 */
import {
  accessState,
  auditOf,
  createUser,
  openSession,
  refreshOutcome,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
  tokenStatuses,
} from './sessions-test-app';

describe('logout', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_logout');
  });

  afterAll(async () => {
    await app.close();
  });

  async function login() {
    const userId = await createUser(app);
    const pair = await openSession(app, userId);
    const claims = await app.tokens.verify(pair.accessToken);
    if (!claims.ok) throw new Error('fresh token does not verify');
    return { userId, pair, expiresAt: new Date(claims.claims.exp * 1000) };
  }

  it('kills refresh and access, records session.revoked, and is idempotent', async () => {
    const { userId, pair, expiresAt } = await login();
    const input = {
      userId,
      sessionId: pair.sessionId,
      accessJti: pair.accessJti,
      accessExpiresAt: expiresAt,
    };
    await app.sessions.logout(input);
    await expect(app.sessions.logout(input)).resolves.toBeUndefined();

    expect(await refreshOutcome(app, pair.refreshToken)).toBe('session.refresh_invalid');
    expect(await accessState(app, pair.accessToken)).toBe('revoked');
    expect(await sessionRow(app, pair.sessionId)).toMatchObject({
      status: 'revoked',
      revoked_reason: 'logout',
    });
    expect(await tokenStatuses(app, pair.sessionId)).toEqual(['revoked']);
    const events = await auditOf(app, userId, 'session.revoked');
    expect(events).toHaveLength(1);
    expect(events[0]!.metadata).toEqual({
      scope: 'session',
      reason: 'logout',
      sessionIds: [pair.sessionId],
    });
  });

  it('finds the session from the refresh token alone', async () => {
    const { pair } = await login();
    const rotated = await app.sessions.refresh(pair.refreshToken, { ip: '192.0.2.1' });
    await app.sessions.logout({ refreshToken: rotated.refreshToken });
    expect((await sessionRow(app, pair.sessionId)).status).toBe('revoked');
    expect(await accessState(app, rotated.accessToken)).toBe('revoked');
    // Repeating it with the now revoked token is fine (API.md: answers 204).
    await expect(
      app.sessions.logout({ refreshToken: rotated.refreshToken }),
    ).resolves.toBeUndefined();
  });

  it('accepts unknown and empty targets without error', async () => {
    await expect(app.sessions.logout({})).resolves.toBeUndefined();
    await expect(app.sessions.logout({ refreshToken: 'no-such-token' })).resolves.toBeUndefined();
    await expect(
      app.sessions.logout({ sessionId: '00000000-0000-4000-8000-000000000000' }),
    ).resolves.toBeUndefined();
  });

  it('with a user given, ends nothing of another user', async () => {
    const victim = await login();
    const attacker = await login();
    await app.sessions.logout({ userId: attacker.userId, sessionId: victim.pair.sessionId });
    await app.sessions.logout({ userId: attacker.userId, refreshToken: victim.pair.refreshToken });

    expect((await sessionRow(app, victim.pair.sessionId)).status).toBe('active');
    expect(await accessState(app, victim.pair.accessToken)).toBe('ok');
    expect(await refreshOutcome(app, victim.pair.refreshToken)).toBe('ok');
    expect(await auditOf(app, victim.userId, 'session.revoked')).toHaveLength(0);
  });

  it('still succeeds when the denylist store fails after commit', async () => {
    const { userId, pair, expiresAt } = await login();
    const sessions = jest
      .spyOn(app.denylist, 'denySessions')
      .mockRejectedValueOnce(new Error('redis down'));
    const token = jest
      .spyOn(app.denylist, 'denyToken')
      .mockRejectedValueOnce(new Error('redis down'));
    try {
      await expect(
        app.sessions.logout({
          userId,
          sessionId: pair.sessionId,
          accessJti: pair.accessJti,
          accessExpiresAt: expiresAt,
        }),
      ).resolves.toBeUndefined();
    } finally {
      sessions.mockRestore();
      token.mockRestore();
    }
    // Postgres holds the truth: the family is dead even though the denylist missed it.
    expect((await sessionRow(app, pair.sessionId)).status).toBe('revoked');
    expect(await refreshOutcome(app, pair.refreshToken)).toBe('session.refresh_invalid');
  });
});
