/**
 * Revoking every session of a user: "log out everywhere", a password change (keeps the current
 * session), a password reset and an admin lock. After it, no refresh token and no access token
 * of those sessions may work, on any instance, at once: that is the point of changing a
 * password after a compromise. When it runs inside the caller's transaction (reset, lock) and
 * that transaction rolls back, nothing may be revoked or denylisted either: a failed password
 * change must not log the user out, and the denylist must never run ahead of Postgres.
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

describe('revokeAll', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_revoke_all');
  });

  afterAll(async () => {
    await app.close();
  });

  async function userWithSessions(count: number) {
    const userId = await createUser(app);
    const pairs = [];
    for (let i = 0; i < count; i++) pairs.push(await openSession(app, userId));
    return { userId, pairs };
  }

  it('ends every session of the user at once, and nobody else’s', async () => {
    const { userId, pairs } = await userWithSessions(3);
    const bystander = await userWithSessions(1);
    const ids = await app.sessions.revokeAll(undefined, { userId, reason: 'logout_all' });

    expect([...ids].sort()).toEqual(pairs.map((p) => p.sessionId).sort());
    for (const pair of pairs) {
      expect(await sessionRow(app, pair.sessionId)).toMatchObject({
        status: 'revoked',
        revoked_reason: 'logout_all',
      });
      expect(await tokenStatuses(app, pair.sessionId)).toEqual(['revoked']);
      expect(await refreshOutcome(app, pair.refreshToken)).toBe('session.refresh_invalid');
      expect(await accessState(app, pair.accessToken)).toBe('revoked');
    }
    expect(await accessState(app, bystander.pairs[0]!.accessToken)).toBe('ok');
    expect(await refreshOutcome(app, bystander.pairs[0]!.refreshToken)).toBe('ok');
  });

  it('emits one session.revoked naming every id (scope user)', async () => {
    const { userId, pairs } = await userWithSessions(2);
    const ids = await app.sessions.revokeAll(undefined, {
      userId,
      reason: 'account_locked',
      ipHash: 'ip-hash-of-admin',
    });
    const events = await auditOf(app, userId, 'session.revoked');
    expect(events).toHaveLength(1);
    expect(events[0]!.ip_hash).toBe('ip-hash-of-admin');
    expect(events[0]!.metadata).toEqual({
      scope: 'user',
      reason: 'account_locked',
      sessionIds: ids,
    });
    expect(ids).toHaveLength(pairs.length);
  });

  it('keeps the excepted session (password change) and names it in the event', async () => {
    const { userId, pairs } = await userWithSessions(3);
    const [current, ...others] = pairs;
    const ids = await app.sessions.revokeAll(undefined, {
      userId,
      reason: 'password_changed',
      exceptSessionId: current!.sessionId,
    });
    expect([...ids].sort()).toEqual(others.map((p) => p.sessionId).sort());
    expect(await accessState(app, current!.accessToken)).toBe('ok');
    expect(await refreshOutcome(app, current!.refreshToken)).toBe('ok');
    for (const other of others) {
      expect(await accessState(app, other.accessToken)).toBe('revoked');
    }
    const [event] = await auditOf(app, userId, 'session.revoked');
    expect(event!.metadata).toMatchObject({ keptSessionId: current!.sessionId, sessionIds: ids });
  });

  it('returns [] and emits nothing when there is nothing to end', async () => {
    const userId = await createUser(app);
    expect(await app.sessions.revokeAll(undefined, { userId, reason: 'logout_all' })).toEqual([]);
    expect(await auditOf(app, userId)).toHaveLength(0);
  });

  it('inside a transaction that rolls back: nothing revoked, nothing denylisted, no event', async () => {
    const { userId, pairs } = await userWithSessions(2);
    let revokedInside: string[] = [];
    await expect(
      app.db.withTransaction(async (tx) => {
        revokedInside = await app.sessions.revokeAll(tx, { userId, reason: 'password_reset' });
        throw new Error('the password change failed after the revocation');
      }),
    ).rejects.toThrow('the password change failed');

    expect(revokedInside).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 50)); // any stray after-commit hook would have run
    for (const pair of pairs) {
      expect((await sessionRow(app, pair.sessionId)).status).toBe('active');
      expect(await app.denylist.isDenied('none', pair.sessionId)).toBe(false);
      expect(await accessState(app, pair.accessToken)).toBe('ok');
    }
    expect(await auditOf(app, userId)).toHaveLength(0);
    expect(await refreshOutcome(app, pairs[0]!.refreshToken)).toBe('ok');
  });

  it('inside a transaction that commits: denylisted only once it has committed', async () => {
    const { userId, pairs } = await userWithSessions(1);
    const [pair] = pairs;
    let deniedBeforeCommit: boolean | undefined;
    await app.db.withTransaction(async (tx) => {
      await app.sessions.revokeAll(tx, { userId, reason: 'password_reset' });
      await new Promise((r) => setTimeout(r, 50));
      deniedBeforeCommit = await app.denylist.isDenied('none', pair!.sessionId);
    });
    expect(deniedBeforeCommit).toBe(false);
    // Fire-and-forget after commit: give the hook its moment.
    let denied = false;
    for (let i = 0; i < 50 && !denied; i++) {
      denied = await app.denylist.isDenied('none', pair!.sessionId);
      if (!denied) await new Promise((r) => setTimeout(r, 20));
    }
    expect(denied).toBe(true);
    expect(await accessState(app, pair!.accessToken)).toBe('revoked');
    expect(await auditOf(app, userId, 'session.revoked')).toHaveLength(1);
  });
});
