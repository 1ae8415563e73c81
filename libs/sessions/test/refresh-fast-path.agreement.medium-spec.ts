/**
 * A refresh first tries one statement (`SessionRepository.rotateIfCurrent`) that rotates only
 * when the token earns `rotate`; everything else is judged under locks by `judgeRefresh`. The
 * `rotate` conditions therefore exist twice, in SQL and in TypeScript. If the SQL were looser
 * (an idle or expired family, a spent or revoked token), a refresh would pass that the rules
 * refuse. This suite puts a family in every state the rules distinguish, on and either side of
 * each boundary, and checks that the statement rotates exactly when the judge says `rotate`,
 * and changes nothing when it does not (a rotated token inside the retry window included: the
 * statement must leave it to the judge). The retry window itself is pinned below, edge by
 * edge, with the app's Clock moved by hand.
 */
import { hashToken, randomToken } from '@identity/crypto';
import { RefreshSuccessors } from '../src/refresh-successor';
import { judgeRefresh } from '../src/refresh-verdict';
import { SessionRepository } from '../src/session.repository';
import { ManualClock } from '@identity/testing';
import type { TokenPair } from '../src';
import {
  CLIENT,
  createUser,
  openSession,
  refreshOutcome,
  sessionRow,
  type SessionsTestApp,
  startSessionsApp,
  tokenStatuses,
} from './sessions-test-app';

const IDLE_TTL_S = 3600;
const RETRY_WINDOW_S = 10;
const NOW = new Date('2030-01-01T00:00:00.000Z');
const ms = (delta: number) => new Date(NOW.getTime() + delta);

type SessionStatus = 'active' | 'revoked' | 'compromised';
type TokenStatus = 'active' | 'used' | 'revoked';

interface FamilyState {
  session: SessionStatus;
  token: TokenStatus;
  /** A successor row of the token (its derived hash), in this status. */
  successor?: TokenStatus;
  sessionExpiresAt: Date;
  tokenExpiresAt: Date;
  lastUsedAt: Date;
}

const LIVE: FamilyState = {
  session: 'active',
  token: 'active',
  sessionExpiresAt: ms(60_000),
  tokenExpiresAt: ms(60_000),
  lastUsedAt: ms(-1000),
};

const idleSince = ms(-IDLE_TTL_S * 1000);

const STATES: [string, FamilyState][] = [
  ['live', LIVE],
  ['session revoked', { ...LIVE, session: 'revoked' }],
  ['session compromised', { ...LIVE, session: 'compromised' }],
  ['token used', { ...LIVE, token: 'used' }],
  ['token revoked', { ...LIVE, token: 'revoked' }],
  ['session expires now', { ...LIVE, sessionExpiresAt: NOW }],
  ['session expires 1 ms later', { ...LIVE, sessionExpiresAt: ms(1) }],
  ['session expired 1 ms ago', { ...LIVE, sessionExpiresAt: ms(-1) }],
  ['token expires now', { ...LIVE, tokenExpiresAt: NOW }],
  ['token expires 1 ms later', { ...LIVE, tokenExpiresAt: ms(1) }],
  ['last used exactly at the idle limit', { ...LIVE, lastUsedAt: idleSince }],
  ['last used 1 ms before the idle limit', { ...LIVE, lastUsedAt: ms(-IDLE_TTL_S * 1000 - 1) }],
  ['last used 1 ms after the idle limit', { ...LIVE, lastUsedAt: ms(-IDLE_TTL_S * 1000 + 1) }],
  ['compromised and used', { ...LIVE, session: 'compromised', token: 'used' }],
  // A rotated token whose successor is unused, rotated just now: `retry`, never a rotation.
  ['token used now, successor active', { ...LIVE, token: 'used', successor: 'active' }],
  ['token used now, successor used', { ...LIVE, token: 'used', successor: 'used' }],
];

describe('refresh fast path agrees with judgeRefresh', () => {
  let app: SessionsTestApp;
  let repo: SessionRepository;
  let successors: RefreshSuccessors;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_fast_path', {
      REFRESH_IDLE_TTL: String(IDLE_TTL_S),
      REFRESH_RETRY_WINDOW: String(RETRY_WINDOW_S),
    });
    repo = app.module.get(SessionRepository);
    successors = new RefreshSuccessors(app.config.secrets.keyEncryptionKey);
  });

  afterAll(async () => {
    await app.close();
  });

  /** A family whose rows are set to `state` by SQL; returns its session id and token hash. */
  async function familyIn(state: FamilyState): Promise<{ sessionId: string; tokenHash: string }> {
    const userId = await createUser(app);
    const { sessionId, refreshToken } = await openSession(app, userId);
    const tokenHash = hashToken(refreshToken);
    await app.sql.query(
      `UPDATE sessions SET status = $2, revoked_at = CASE WHEN $2 = 'active' THEN NULL ELSE $3::timestamptz END,
              expires_at = $4, last_used_at = $5 WHERE id = $1`,
      [sessionId, state.session, NOW, state.sessionExpiresAt, state.lastUsedAt],
    );
    await app.sql.query(
      `UPDATE refresh_tokens SET status = $2, used_at = CASE WHEN $2 = 'used' THEN $3::timestamptz END,
              expires_at = $4 WHERE token_hash = $1`,
      [tokenHash, state.token, NOW, state.tokenExpiresAt],
    );
    if (state.successor) {
      await app.sql.query(
        `INSERT INTO refresh_tokens (session_id, token_hash, parent_id, status, used_at, created_at, expires_at)
         SELECT session_id, $2, id, $3, CASE WHEN $3 = 'used' THEN $4::timestamptz END, $4, expires_at
           FROM refresh_tokens WHERE token_hash = $1`,
        [tokenHash, successors.of(tokenHash).hash, state.successor, NOW],
      );
    }
    return { sessionId, tokenHash };
  }

  interface FamilyRows {
    status: string;
    lastUsedAt: Date;
    userAgent: string | null;
    /** `status:token_hash` of every token of the family, sorted. */
    tokens: string[];
  }

  async function familyRows(sessionId: string): Promise<FamilyRows> {
    const [row] = await app.sql.query<
      { status: string; last_used_at: Date; user_agent: string | null; tokens: string[] }[]
    >(
      `SELECT s.status, s.last_used_at, s.user_agent,
              array_agg(t.status || ':' || t.token_hash) AS tokens
         FROM sessions s JOIN refresh_tokens t ON t.session_id = s.id
        WHERE s.id = $1 GROUP BY s.id`,
      [sessionId],
    );
    return {
      status: row!.status,
      lastUsedAt: row!.last_used_at,
      userAgent: row!.user_agent,
      tokens: [...row!.tokens].sort(),
    };
  }

  it.each(STATES)('%s', async (_label, state) => {
    const { sessionId, tokenHash } = await familyIn(state);
    const verdict = judgeRefresh(
      {
        session: {
          status: state.session,
          expiresAt: state.sessionExpiresAt,
          lastUsedAt: state.lastUsedAt,
        },
        token: {
          status: state.token,
          expiresAt: state.tokenExpiresAt,
          usedAt: state.token === 'used' ? NOW : null,
        },
        successor: state.successor ? { status: state.successor } : null,
      },
      NOW,
      { idleTtlSeconds: IDLE_TTL_S, retryWindowSeconds: RETRY_WINDOW_S },
    );
    const before = await familyRows(sessionId);
    const next = hashToken(randomToken(32));
    const rotated = await repo.rotateIfCurrent({
      tokenHash,
      now: NOW,
      idleSince,
      userAgent: 'agreement/1',
      ipHash: null,
      nextTokenHash: next,
    });

    expect(rotated !== null).toBe(verdict === 'rotate');
    expect(rotated?.id ?? sessionId).toBe(sessionId);
    const after = await familyRows(sessionId);
    const expected =
      verdict === 'rotate'
        ? {
            lastUsedAt: NOW,
            userAgent: 'agreement/1',
            tokens: [
              ...before.tokens.filter((t) => t !== `active:${tokenHash}`),
              `used:${tokenHash}`,
              `active:${next}`,
            ].sort(),
          }
        : { lastUsedAt: before.lastUsedAt, userAgent: before.userAgent, tokens: before.tokens };
    expect(after).toEqual({ ...before, ...expected });
  });
});

/**
 * The retry window exists as a rule (`judgeRefresh`'s `retry`) and as what the service does
 * with the rows it locks and reads. Around each edge of the window, moved with the app's
 * Clock, the service's answer to a rotated token must be what the judge says of the rows as
 * they are in the database: `retry` is 200 with the very successor the first rotation
 * returned and changes nothing; `reuse` kills the family; `invalid` is refresh_invalid.
 */
describe('the refresh service agrees with judgeRefresh around the retry window', () => {
  const clock = new ManualClock(new Date('2030-06-01T00:00:00.000Z'));
  let app: SessionsTestApp;
  let repo: SessionRepository;

  beforeAll(async () => {
    app = await startSessionsApp(
      'sessions_retry_window',
      { REFRESH_IDLE_TTL: String(IDLE_TTL_S), REFRESH_RETRY_WINDOW: String(RETRY_WINDOW_S) },
      { clock },
    );
    repo = app.module.get(SessionRepository);
  });

  afterAll(async () => {
    await app.close();
  });

  type Setup = (family: { successor: TokenPair; sessionId: string }) => Promise<void>;

  /** Rotates a fresh family at T0, runs `setup`, and presents the rotated token at T0 + `atMs`. */
  async function presentRotated(atMs: number, setup?: Setup) {
    const userId = await createUser(app);
    const login = await openSession(app, userId);
    const t0 = clock.nowMs();
    const successor = await app.sessions.refresh(login.refreshToken, CLIENT);
    await setup?.({ successor, sessionId: login.sessionId });
    clock.set(new Date(t0 + atMs));
    const family = await app.db.withTransaction(async (tx) => {
      const locked = await repo.lockFamilyOfToken(hashToken(login.refreshToken), tx);
      const next = await repo.tokenStatusInFamily(
        hashToken(successor.refreshToken),
        login.sessionId,
        tx,
      );
      return { ...locked!, successor: next };
    });
    const verdict = judgeRefresh(family, clock.now(), {
      idleTtlSeconds: IDLE_TTL_S,
      retryWindowSeconds: RETRY_WINDOW_S,
    });
    const before = await tokenStatuses(app, login.sessionId);
    const answer = await app.sessions.refresh(login.refreshToken, CLIENT).then(
      (pair) => ({ outcome: 'ok' as const, pair }),
      (err: { code?: string }) => ({ outcome: err.code, pair: undefined }),
    );
    return { verdict, answer, successor, before, sessionId: login.sessionId };
  }

  const W = RETRY_WINDOW_S * 1000;
  it.each([
    ['at the rotation itself', 0],
    ['1 ms after it', 1],
    ['1 ms before the end of the window', W - 1],
    ['exactly at the end of the window', W],
  ])('retry %s: the same successor, nothing changes', async (_label, atMs) => {
    const { verdict, answer, successor, before, sessionId } = await presentRotated(atMs);
    expect(verdict).toBe('retry');
    expect(answer.outcome).toBe('ok');
    expect(answer.pair!.refreshToken).toBe(successor.refreshToken);
    expect(answer.pair!.accessToken).not.toBe(successor.accessToken);
    expect(await tokenStatuses(app, sessionId)).toEqual(before);
    expect((await sessionRow(app, sessionId)).status).toBe('active');
    // The successor is still the family's one live token.
    expect(await refreshOutcome(app, successor.refreshToken)).toBe('ok');
  });

  it.each([
    ['1 ms after the window', W + 1],
    ['long after the window', 60_000],
  ])('reuse %s: the family dies', async (_label, atMs) => {
    const { verdict, answer, sessionId } = await presentRotated(atMs);
    expect(verdict).toBe('reuse');
    expect(answer.outcome).toBe('session.refresh_reused');
    expect((await sessionRow(app, sessionId)).status).toBe('compromised');
  });

  it('reuse within the window once the successor was presented', async () => {
    const { verdict, answer, sessionId } = await presentRotated(2_000, async ({ successor }) => {
      clock.advance(1);
      await app.sessions.refresh(successor.refreshToken, CLIENT);
    });
    expect(verdict).toBe('reuse');
    expect(answer.outcome).toBe('session.refresh_reused');
    expect((await sessionRow(app, sessionId)).status).toBe('compromised');
  });

  it('invalid within the window once the family was logged out', async () => {
    const { verdict, answer } = await presentRotated(1_000, async ({ sessionId }) => {
      await app.sessions.logout({ sessionId });
    });
    expect(verdict).toBe('invalid');
    expect(answer.outcome).toBe('session.refresh_invalid');
  });

  it('with REFRESH_RETRY_WINDOW=0 a rotated token is reuse at once', async () => {
    const off = await startSessionsApp(
      'sessions_retry_off',
      { REFRESH_RETRY_WINDOW: '0' },
      { clock },
    );
    try {
      const login = await openSession(off, await createUser(off));
      await off.sessions.refresh(login.refreshToken, CLIENT);
      expect(await refreshOutcome(off, login.refreshToken)).toBe('session.refresh_reused');
    } finally {
      await off.close();
    }
  });
});
