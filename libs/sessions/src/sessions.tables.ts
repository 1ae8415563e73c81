import type { RevocationReason } from '@identity/audit';

/**
 * The two tables of this context (migrations/1764000000000-initial-schema.ts, tuned by
 * 1795400000000-session-hot-path.ts), for their repository only:
 * - `sessions`: one login and the refresh-token family that keeps it alive. `ck_sessions_revoked`
 *   ties `revoked_at` to the status, so a revocation always sets both. Fill factor 80: every
 *   refresh rewrites `last_used_at` (HOT updates).
 * - `refresh_tokens`: one link of a family, `session_id` → `sessions` ON DELETE CASCADE. Only
 *   the SHA-256 of a token is kept (`token_hash`, unique), so a database leak hands out nothing
 *   that can be presented.
 */

/**
 * `active`: refreshable while inside its absolute and idle lifetimes. `revoked`: ended on
 * purpose (logout, lock, reset...). `compromised`: killed because a rotated refresh token came
 * back, which only a thief or a confused client can do.
 */
export type SessionStatus = 'active' | 'revoked' | 'compromised';

/**
 * `active`: the one token of its family that may be exchanged. `used`: rotated away; seeing it
 * again is reuse. `revoked`: its family was ended while it was still active.
 */
export type RefreshTokenStatus = 'active' | 'used' | 'revoked';

/** A session (a row of `sessions`). */
export interface Session {
  id: string;
  userId: string;
  status: SessionStatus;
  /** Authentication methods of the sign-in; every access token of the session repeats them. */
  amr: string[];
  deviceName: string | null;
  userAgent: string | null;
  /** Keyed hash of the last client IP (`IpHasher`); the raw address is never stored. */
  ipHash: string | null;
  revokedAt: Date | null;
  revokedReason: RevocationReason | null;
  createdAt: Date;
  /** Last sign-in or refresh; the idle timeout counts from here. */
  lastUsedAt: Date;
  /** Absolute end of the family, fixed at sign-in: rotation never moves it. */
  expiresAt: Date;
}

/** A refresh token of a family (a row of `refresh_tokens`). */
export interface RefreshToken {
  id: string;
  sessionId: string;
  tokenHash: string;
  /** The token this one replaced; null for the first token of a sign-in. */
  parentId: string | null;
  status: RefreshTokenStatus;
  usedAt: Date | null;
  createdAt: Date;
  /** Equal to its session's `expires_at`: a token never outlives its family. */
  expiresAt: Date;
}

/** Every column of `sessions`, in the order of {@link SessionRow}; `s` is the alias. */
export const SESSION_COLUMNS = `s.id, s.user_id, s.status, s.amr, s.device_name, s.user_agent,
  s.ip_hash, s.revoked_at, s.revoked_reason, s.created_at, s.last_used_at, s.expires_at`;

export interface SessionRow {
  id: string;
  user_id: string;
  status: SessionStatus;
  amr: string[];
  device_name: string | null;
  user_agent: string | null;
  ip_hash: string | null;
  revoked_at: Date | null;
  revoked_reason: RevocationReason | null;
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    status: row.status,
    amr: row.amr,
    deviceName: row.device_name,
    userAgent: row.user_agent,
    ipHash: row.ip_hash,
    revokedAt: row.revoked_at,
    revokedReason: row.revoked_reason,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    expiresAt: row.expires_at,
  };
}

/** A session row joined with one of its tokens (`t`), as a refresh locks them. */
export const FAMILY_COLUMNS = `${SESSION_COLUMNS},
  t.id AS token_id, t.token_hash AS token_hash, t.parent_id AS token_parent_id,
  t.status AS token_status, t.used_at AS token_used_at, t.created_at AS token_created_at,
  t.expires_at AS token_expires_at`;

export interface FamilyRow extends SessionRow {
  token_id: string;
  token_hash: string;
  token_parent_id: string | null;
  token_status: RefreshTokenStatus;
  token_used_at: Date | null;
  token_created_at: Date;
  token_expires_at: Date;
}

export function toRefreshToken(row: FamilyRow): RefreshToken {
  return {
    id: row.token_id,
    sessionId: row.id,
    tokenHash: row.token_hash,
    parentId: row.token_parent_id,
    status: row.token_status,
    usedAt: row.token_used_at,
    createdAt: row.token_created_at,
    expiresAt: row.token_expires_at,
  };
}
