import type { RefreshToken, Session } from './sessions.tables';

/**
 * What a presented refresh token earns:
 * - `rotate`: the family is live and this is its current token;
 * - `retry`: a token rotated at most `REFRESH_RETRY_WINDOW` seconds ago came back while its
 *   successor is still unused: the client lost the response, so it gets that same successor
 *   again (nothing changes, no second successor exists);
 * - `reuse`: a rotated token came back otherwise while the family was live: theft, so kill it;
 * - `reuse_known`: a rotated token of a family already killed for reuse: same answer, no new
 *   side effects (a thief retrying must not flood the audit log or the denylist);
 * - `invalid`: anything else (revoked, expired, idle).
 */
export type RefreshVerdict = 'rotate' | 'retry' | 'reuse' | 'reuse_known' | 'invalid';

/** What the rules need to know of a family: its session, the token, and that token's successor. */
export interface RefreshFamilyState {
  session: Pick<Session, 'status' | 'expiresAt' | 'lastUsedAt'>;
  token: Pick<RefreshToken, 'status' | 'expiresAt' | 'usedAt'>;
  /** The token that replaced `token` when it was rotated; null when none (or not looked up). */
  successor?: Pick<RefreshToken, 'status'> | null;
}

/** The configured lifetimes the rules apply (`REFRESH_IDLE_TTL`, `REFRESH_RETRY_WINDOW`). */
export interface RefreshRules {
  idleTtlSeconds: number;
  /** 0 turns the retry off: every rotated token is reuse. */
  retryWindowSeconds: number;
}

/**
 * Judges a locked token and its locked session at `now`. Pure, so the rules sit in one place.
 *
 * The order matters: an expired or idle family answers `invalid` even for a rotated token
 * (API.md: "Expired or idle families answer refresh_invalid"), and the family of a logout or
 * lock answers `invalid` too; only a live family can be "compromised". The newest token of a
 * family killed for reuse was never rotated, so it answers `invalid` like any revoked token:
 * `refresh_reused` means "this token was already rotated", nothing else.
 *
 * The retry window is inclusive (a token rotated exactly `retryWindowSeconds` ago is still
 * retried; a millisecond later it is reuse), like the idle limit. Once the successor has been
 * presented (it is `used`), the client evidently got it, so the old token is reuse again.
 */
export function judgeRefresh(
  family: RefreshFamilyState,
  now: Date,
  rules: RefreshRules,
): RefreshVerdict {
  const { session, token } = family;
  switch (session.status) {
    case 'compromised':
      return token.status === 'used' ? 'reuse_known' : 'invalid';
    case 'revoked':
      return 'invalid';
    case 'active':
      break;
  }
  const nowMs = now.getTime();
  if (session.expiresAt.getTime() <= nowMs || token.expiresAt.getTime() <= nowMs) return 'invalid';
  if (session.lastUsedAt.getTime() + rules.idleTtlSeconds * 1000 < nowMs) return 'invalid';
  switch (token.status) {
    case 'active':
      return 'rotate';
    case 'used':
      return withinRetryWindow(family, nowMs, rules) ? 'retry' : 'reuse';
    case 'revoked':
      return 'invalid';
  }
}

function withinRetryWindow(
  family: RefreshFamilyState,
  nowMs: number,
  rules: RefreshRules,
): boolean {
  const usedAt = family.token.usedAt;
  return (
    rules.retryWindowSeconds > 0 &&
    family.successor?.status === 'active' &&
    usedAt !== null &&
    nowMs <= usedAt.getTime() + rules.retryWindowSeconds * 1000
  );
}
