/**
 * Concurrent exchanges of one refresh token. An attacker holding a copy races the legitimate
 * client (or fires many requests at once) hoping two exchanges both pass the "is it still
 * active?" check before either marks it used: two live branches of one family, one of them the
 * attacker's, invisible to reuse detection. Row locks on the session and its token serialise
 * the exchanges, so exactly one rotates. Within `REFRESH_RETRY_WINDOW` (on by default) every
 * other one is a retry and gets that same one successor (API.md: "concurrent presentations of
 * one token therefore all get that one successor; there is never more than one live
 * successor"); with the window off, every other one is reuse and kills the family.
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
  tokenStatuses,
} from './sessions-test-app';

const ROUNDS = 5;

describe('refresh rotation: concurrent exchanges of one token', () => {
  let app: SessionsTestApp;
  /** The same, with REFRESH_RETRY_WINDOW=0. */
  let strict: SessionsTestApp;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_race');
    strict = await startSessionsApp('sessions_race_strict', { REFRESH_RETRY_WINDOW: '0' });
  });

  afterAll(async () => {
    await app.close();
    await strict.close();
  });

  async function race(concurrency: number, on = app) {
    const userId = await createUser(on);
    const login = await openSession(on, userId);
    const attempts = Array.from({ length: concurrency }, () =>
      on.sessions.refresh(login.refreshToken, CLIENT),
    );
    const settled = await Promise.allSettled(attempts);
    const won = settled.filter((s) => s.status === 'fulfilled');
    const codes = settled
      .filter((s): s is PromiseRejectedResult => s.status === 'rejected')
      .map((s) => (s.reason as { code?: string }).code);
    return { userId, login, won, codes };
  }

  it.each([2, 10])(
    '%i at once within the retry window: all get the one successor (several rounds)',
    async (n) => {
      for (let round = 0; round < ROUNDS; round++) {
        const { userId, login, won, codes } = await race(n);
        expect(codes).toEqual([]);
        const pairs = won.map(
          (w) => (w as PromiseFulfilledResult<{ refreshToken: string; accessToken: string }>).value,
        );
        expect(new Set(pairs.map((p) => p.refreshToken)).size).toBe(1);
        expect((await sessionRow(app, login.sessionId)).status).toBe('active');
        // One successor in the database, live; the presented token spent.
        expect(await tokenStatuses(app, login.sessionId)).toEqual(['used', 'active']);
        for (const pair of pairs) expect(await accessState(app, pair.accessToken)).toBe('ok');
        expect(await auditOf(app, userId, 'auth.refresh.reused')).toHaveLength(0);
        // And that successor carries the family on.
        expect(await refreshOutcome(app, pairs[0]!.refreshToken)).toBe('ok');
      }
    },
  );

  it.each([2, 10])(
    '%i at once with the window off: exactly one succeeds, the rest are reuse (several rounds)',
    async (n) => {
      for (let round = 0; round < ROUNDS; round++) {
        const { userId, login, won, codes } = await race(n, strict);
        expect(won.length).toBe(1);
        expect(codes).toEqual(Array(n - 1).fill('session.refresh_reused'));
        // The loser's reuse killed the family, the winner's fresh pair included.
        expect((await sessionRow(strict, login.sessionId)).status).toBe('compromised');
        const winner = (
          won[0] as PromiseFulfilledResult<{ refreshToken: string; accessToken: string }>
        ).value;
        expect(await refreshOutcome(strict, winner.refreshToken)).toBe('session.refresh_invalid');
        expect(await accessState(strict, winner.accessToken)).toBe('revoked');
        // One detection, however many losers.
        expect(await auditOf(strict, userId, 'auth.refresh.reused')).toHaveLength(1);
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
