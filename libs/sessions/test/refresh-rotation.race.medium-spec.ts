/**
 * Concurrent exchanges of one refresh token. An attacker holding a copy races the legitimate
 * client (or fires many requests at once) hoping two exchanges both pass the "is it still
 * active?" check before either marks it used: two live branches of one family, one of them the
 * attacker's, invisible to reuse detection. Row locks on the session and its token serialise
 * the exchanges, so exactly one succeeds and every other one sees the token spent (reuse).
 */
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
} from './sessions-test-app';

const ROUNDS = 5;

describe('refresh rotation: concurrent exchanges of one token', () => {
  let app: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_race');
  });

  afterAll(async () => {
    await app.close();
  });

  async function race(concurrency: number) {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    const attempts = Array.from({ length: concurrency }, () =>
      app.sessions.refresh(login.refreshToken, CLIENT),
    );
    const settled = await Promise.allSettled(attempts);
    const won = settled.filter((s) => s.status === 'fulfilled');
    const codes = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => (s.reason as { code?: string }).code);
    return { userId, login, won, codes };
  }

  it.each([2, 10])(
    '%i at once: exactly one succeeds, the rest are reuse (several rounds)',
    async (n) => {
      for (let round = 0; round < ROUNDS; round++) {
        const { userId, login, won, codes } = await race(n);
        expect(won.length).toBe(1);
        expect(codes).toEqual(Array(n - 1).fill('session.refresh_reused'));
        // The loser's reuse killed the family, the winner's fresh pair included.
        expect((await sessionRow(app, login.sessionId)).status).toBe('compromised');
        const winner = (
          won[0] as PromiseFulfilledResult<{ refreshToken: string; accessToken: string }>
        ).value;
        expect(await refreshOutcome(app, winner.refreshToken)).toBe('session.refresh_invalid');
        expect(await accessState(app, winner.accessToken)).toBe('revoked');
        // One detection, however many losers.
        expect(await auditOf(app, userId, 'auth.refresh.reused')).toHaveLength(1);
      }
    },
  );

  it('a refresh racing a logout-all of its user never deadlocks: it rotates first, or is refused', async () => {
    // Both lock the session before its tokens (the refresh in one statement, FOR UPDATE OF
    // s, t): a refresh that took the token first would deadlock with revokeAll's token update.
    for (let round = 0; round < ROUNDS * 4; round++) {
      const userId = await createUser(app);
      const logins = await Promise.all([1, 2, 3].map(() => openSession(app, userId)));
      const refreshes = logins.map((l) => refreshOutcome(app, l.refreshToken));
      const revoked = app.sessions.revokeAll(undefined, { userId, reason: 'logout_all' });
      const outcomes = await Promise.all(refreshes);
      await revoked;
      for (const outcome of outcomes) expect(['ok', 'session.refresh_invalid']).toContain(outcome);
      for (const login of logins) {
        expect((await sessionRow(app, login.sessionId)).status).toBe('revoked');
      }
    }
  });
});
