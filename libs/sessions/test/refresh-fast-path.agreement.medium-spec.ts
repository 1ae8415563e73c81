/**
 * A refresh first tries one statement (`SessionRepository.rotateIfCurrent`) that rotates only
 * when the token earns `rotate`; everything else is judged under locks by `judgeRefresh`. The
 * `rotate` conditions therefore exist twice, in SQL and in TypeScript. If the SQL were looser
 * (an idle or expired family, a spent or revoked token), a refresh would pass that the rules
 * refuse. This suite puts a family in every state the rules distinguish, on and either side of
 * each boundary, and checks that the statement rotates exactly when the judge says `rotate`,
 * and changes nothing when it does not.
 */
import { hashToken, randomToken } from '@identity/crypto';
import { judgeRefresh } from '../src/refresh-verdict';
import { SessionRepository } from '../src/session.repository';
import {
  createUser,
  openSession,
  type SessionsTestApp,
  startSessionsApp,
} from './sessions-test-app';

const IDLE_TTL_S = 3600;
const NOW = new Date('2030-01-01T00:00:00.000Z');
const ms = (delta: number) => new Date(NOW.getTime() + delta);

type SessionStatus = 'active' | 'revoked' | 'compromised';
type TokenStatus = 'active' | 'used' | 'revoked';

interface FamilyState {
  session: SessionStatus;
  token: TokenStatus;
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
];

describe('refresh fast path agrees with judgeRefresh', () => {
  let app: SessionsTestApp;
  let repo: SessionRepository;

  beforeAll(async () => {
    app = await startSessionsApp('sessions_fast_path', { REFRESH_IDLE_TTL: String(IDLE_TTL_S) });
    repo = app.module.get(SessionRepository);
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
      { status: state.session, expiresAt: state.sessionExpiresAt, lastUsedAt: state.lastUsedAt },
      { status: state.token, expiresAt: state.tokenExpiresAt },
      NOW,
      IDLE_TTL_S,
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
