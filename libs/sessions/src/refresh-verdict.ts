import type { RefreshToken, Session } from './sessions.tables';

/**
 * What a presented refresh token earns:
 * - `rotate`: the family is live and this is its current token;
 * - `reuse`: a rotated token came back while the family was live: theft, so kill it;
 * - `reuse_known`: a rotated token of a family already killed for reuse: same answer, no new
 *   side effects (a thief retrying must not flood the audit log or the denylist);
 * - `invalid`: anything else (revoked, expired, idle).
 */
export type RefreshVerdict = 'rotate' | 'reuse' | 'reuse_known' | 'invalid';

/**
 * Judges a locked token and its locked session at `now`. Pure, so the rules sit in one place.
 *
 * The order matters: an expired or idle family answers `invalid` even for a rotated token
 * (API.md: "Expired or idle families answer refresh_invalid"), and the family of a logout or
 * lock answers `invalid` too; only a live family can be "compromised". The newest token of a
 * family killed for reuse was never rotated, so it answers `invalid` like any revoked token:
 * `refresh_reused` means "this token was already rotated", nothing else.
 */
export function judgeRefresh(
  session: Pick<Session, 'status' | 'expiresAt' | 'lastUsedAt'>,
  token: Pick<RefreshToken, 'status' | 'expiresAt'>,
  now: Date,
  idleTtlSeconds: number,
): RefreshVerdict {
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
  if (session.lastUsedAt.getTime() + idleTtlSeconds * 1000 < nowMs) return 'invalid';
  switch (token.status) {
    case 'active':
      return 'rotate';
    case 'used':
      return 'reuse';
    case 'revoked':
      return 'invalid';
  }
}
