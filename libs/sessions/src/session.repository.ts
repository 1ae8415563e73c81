import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RevocationReason } from '@identity/audit';
import { Database, type Tx } from '@identity/database';
import {
  FAMILY_COLUMNS,
  type FamilyRow,
  type RefreshToken,
  type Session,
  SESSION_COLUMNS,
  type SessionRow,
  toRefreshToken,
  toSession,
} from './sessions.tables';

/** What a login stores; `now` is the caller's clock, so every timestamp of a change agrees. */
export interface NewSession {
  userId: string;
  amr: string[];
  deviceName: string | null;
  userAgent: string | null;
  ipHash: string | null;
  now: Date;
  expiresAt: Date;
}

/** The first token of a family: stored as its hash, expiring with the session. */
export interface FirstRefreshToken {
  tokenHash: string;
}

/** A rotation: the presented token is spent and `next` becomes the family's token. */
export interface Rotation {
  tokenId: string;
  sessionId: string;
  at: Date;
  userAgent: string | null;
  ipHash: string | null;
  /** A token never outlives its family: `expiresAt` is the session's. */
  next: { tokenHash: string; expiresAt: Date };
}

/** {@link SessionRepository.rotateIfCurrent}'s input: what a refresh saw and stores. */
export interface FastRotation {
  tokenHash: string;
  now: Date;
  /** Families last used before this are idle. */
  idleSince: Date;
  /** The client's user agent; null keeps the one on record. */
  userAgent: string | null;
  ipHash: string | null;
  /** Hash of the family's next token; it expires with the family. */
  nextTokenHash: string;
}

/** What minting the next pair needs of a session. */
export type RotatedSession = Pick<Session, 'id' | 'userId' | 'amr' | 'expiresAt'>;

interface RotatedRow {
  id: string;
  user_id: string;
  amr: string[];
  expires_at: Date;
}

/** A refresh token and its session, both row-locked. */
export interface LockedFamily {
  session: Session;
  token: RefreshToken;
}

/** How sessions end: `compromised` only for refresh-token reuse. */
export interface SessionRevocation {
  status: 'revoked' | 'compromised';
  reason: RevocationReason;
  at: Date;
  /** When set, only sessions of this user are touched (ownership check in the same statement). */
  userId?: string;
}

export interface RevokedSession {
  id: string;
  userId: string;
}

/** A session is live while active, before `expiresAt`, and last used at or after `idleSince`. */
export interface LivenessCut {
  now: Date;
  idleSince: Date;
}

/**
 * Storage of sessions and their refresh-token families. Bulk revocations are one statement
 * each; the liveness rules of {@link LivenessCut} are applied in SQL so a list never shows a
 * session that could no longer refresh.
 */
@Injectable()
export class SessionRepository {
  constructor(private readonly db: Database) {}

  /**
   * Opens a family in one statement: the session row and its first refresh token (a login's
   * only writes to this context).
   */
  async insertSessionWithToken(
    input: NewSession,
    first: FirstRefreshToken,
    tx?: Tx,
  ): Promise<Session> {
    const session: Session = {
      id: randomUUID(),
      userId: input.userId,
      status: 'active',
      amr: input.amr,
      deviceName: input.deviceName,
      userAgent: input.userAgent,
      ipHash: input.ipHash,
      revokedAt: null,
      revokedReason: null,
      createdAt: input.now,
      lastUsedAt: input.now,
      expiresAt: input.expiresAt,
    };
    await this.db.execute(
      `WITH opened AS (
         INSERT INTO sessions (id, user_id, status, amr, device_name, user_agent, ip_hash,
                               created_at, last_used_at, expires_at)
         VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $7, $8)
       )
       INSERT INTO refresh_tokens (id, session_id, token_hash, parent_id, status, created_at, expires_at)
       VALUES ($9, $1, $10, NULL, 'active', $7, $8)`,
      [
        session.id,
        session.userId,
        session.amr,
        session.deviceName,
        session.userAgent,
        session.ipHash,
        input.now,
        input.expiresAt,
        randomUUID(),
        first.tokenHash,
      ],
      tx,
    );
    return session;
  }

  /** The session a token belongs to (unlocked: a token never changes family). */
  async findSessionIdByTokenHash(tokenHash: string, tx?: Tx): Promise<string | null> {
    const row = await this.db.one<{ session_id: string }>(
      `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`,
      [tokenHash],
      tx,
    );
    return row?.session_id ?? null;
  }

  /**
   * Finds a refresh token and its session and row-locks both, session first (the order of
   * every other writer, so none of them deadlock with a refresh), in one statement: a
   * refresh's first round trip. Both rows are read as they are once the locks are held (a
   * concurrent exchange of the same token that committed first is seen as `used`). Null for
   * an unknown token or a purged family.
   */
  async lockFamilyOfToken(tokenHash: string, tx: Tx): Promise<LockedFamily | null> {
    const row = await this.db.one<FamilyRow>(
      `SELECT ${FAMILY_COLUMNS}
         FROM sessions s
         JOIN refresh_tokens t ON t.session_id = s.id
        WHERE t.token_hash = $1
          FOR UPDATE OF s, t`,
      [tokenHash],
      tx,
    );
    return row && { session: toSession(row), token: toRefreshToken(row) };
  }

  /**
   * The status of a family's token found by its hash (the successor of a rotated token, see
   * `RefreshSuccessors`); null when the family has no such token. Call with the family
   * locked ({@link lockFamilyOfToken}): every writer of a family's tokens locks its session
   * first, so this statement's fresh snapshot sees the token as it is.
   */
  async tokenStatusInFamily(
    tokenHash: string,
    sessionId: string,
    tx: Tx,
  ): Promise<Pick<RefreshToken, 'status'> | null> {
    const row = await this.db.one<{ status: RefreshToken['status'] }>(
      `SELECT status FROM refresh_tokens WHERE token_hash = $1 AND session_id = $2`,
      [tokenHash, sessionId],
      tx,
    );
    return row && { status: row.status };
  }

  /**
   * The common case of a refresh in one statement, outside any transaction: when
   * `tokenHash` is the active token of a live family (the `rotate` verdict of
   * `judgeRefresh`, its conditions written in SQL), locks session and token (session first),
   * spends the token, restarts the idle timeout and stores the next token, and returns the
   * session. Null in every other case, having changed nothing: the caller then decides under
   * {@link lockFamilyOfToken}. A concurrent exchange of the same token that commits first
   * makes this one wait and then find the token spent (the rows are re-checked once locked).
   */
  async rotateIfCurrent(input: FastRotation): Promise<RotatedSession | null> {
    const row = await this.db.one<RotatedRow>(
      `WITH current AS (
         SELECT s.id, s.user_id, s.amr, s.expires_at, s.user_agent, t.id AS token_id
           FROM sessions s
           JOIN refresh_tokens t ON t.session_id = s.id
          WHERE t.token_hash = $1
            AND t.status = 'active' AND t.expires_at > $2
            AND s.status = 'active' AND s.expires_at > $2 AND s.last_used_at >= $3
            FOR UPDATE OF s, t
       ), used AS (
         UPDATE refresh_tokens r SET status = 'used', used_at = $2
           FROM current c WHERE r.id = c.token_id
       ), touched AS (
         UPDATE sessions s SET last_used_at = $2, user_agent = COALESCE($4, c.user_agent), ip_hash = $5
           FROM current c WHERE s.id = c.id
       ), stored AS (
         INSERT INTO refresh_tokens (id, session_id, token_hash, parent_id, status, created_at, expires_at)
         SELECT $6, c.id, $7, c.token_id, 'active', $2, c.expires_at FROM current c
       )
       SELECT id, user_id, amr, expires_at FROM current`,
      [
        input.tokenHash,
        input.now,
        input.idleSince,
        input.userAgent,
        input.ipHash,
        randomUUID(),
        input.nextTokenHash,
      ],
    );
    return row && { id: row.id, userId: row.user_id, amr: row.amr, expiresAt: row.expires_at };
  }

  /**
   * Records a rotation in one statement: the presented token becomes `used` (if still
   * active), its session's idle timeout restarts (the absolute expiry stays) and the family's
   * next token is stored. Call with the family locked ({@link lockFamilyOfToken}).
   */
  async recordRotation(rotation: Rotation, tx: Tx): Promise<void> {
    await this.db.execute(
      `WITH used AS (
         UPDATE refresh_tokens SET status = 'used', used_at = $1 WHERE id = $2 AND status = 'active'
       ), touched AS (
         UPDATE sessions SET last_used_at = $1, user_agent = $3, ip_hash = $4 WHERE id = $5
       )
       INSERT INTO refresh_tokens (id, session_id, token_hash, parent_id, status, created_at, expires_at)
       VALUES ($6, $5, $7, $2, 'active', $1, $8)`,
      [
        rotation.at,
        rotation.tokenId,
        rotation.userAgent,
        rotation.ipHash,
        rotation.sessionId,
        randomUUID(),
        rotation.next.tokenHash,
        rotation.next.expiresAt,
      ],
      tx,
    );
  }

  /** Ends the listed sessions that are still active (one statement); returns those it ended. */
  async revokeSessions(
    ids: readonly string[],
    revocation: SessionRevocation,
    tx?: Tx,
  ): Promise<RevokedSession[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{ id: string; user_id: string }>(
      `UPDATE sessions SET status = $2, revoked_at = $3, revoked_reason = $4
        WHERE id = ANY($1::uuid[]) AND status = 'active'
          AND ($5::uuid IS NULL OR user_id = $5)
       RETURNING id, user_id`,
      [ids, revocation.status, revocation.at, revocation.reason, revocation.userId ?? null],
      tx,
    );
    return rows.map((row) => ({ id: row.id, userId: row.user_id }));
  }

  /** Ends every active session of a user, but `exceptSessionId` (one statement); returns their ids. */
  async revokeAllOfUser(
    userId: string,
    revocation: { reason: RevocationReason; at: Date; exceptSessionId?: string },
    tx?: Tx,
  ): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `UPDATE sessions SET status = 'revoked', revoked_at = $2, revoked_reason = $3
        WHERE user_id = $1 AND status = 'active' AND ($4::uuid IS NULL OR id <> $4)
       RETURNING id`,
      [userId, revocation.at, revocation.reason, revocation.exceptSessionId ?? null],
      tx,
    );
    return rows.map((row) => row.id);
  }

  /**
   * Revokes the still-active tokens of these families (one statement). Used tokens stay
   * `used`, so presenting one later is still recognised as reuse.
   */
  async revokeTokensOfSessions(sessionIds: readonly string[], tx?: Tx): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.db.execute(
      `UPDATE refresh_tokens SET status = 'revoked'
        WHERE session_id = ANY($1::uuid[]) AND status = 'active'`,
      [sessionIds],
      tx,
    );
  }

  /** A user's live sessions, newest first. */
  async listLiveByUser(userId: string, cut: LivenessCut, tx?: Tx): Promise<Session[]> {
    const rows = await this.db.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions s
        WHERE ${LIVE} AND s.user_id = $3
        ORDER BY s.created_at DESC, s.id DESC`,
      [cut.now, cut.idleSince, userId],
      tx,
    );
    return rows.map(toSession);
  }

  /**
   * The device columns of the user's sessions among `ids`, live or not (revoked and expired
   * ones too, until they are purged); ids of other users' sessions are left out.
   */
  async findDevices(
    userId: string,
    ids: readonly string[],
    tx?: Tx,
  ): Promise<{ id: string; deviceName: string | null; userAgent: string | null }[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<{
      id: string;
      device_name: string | null;
      user_agent: string | null;
    }>(
      `SELECT s.id, s.device_name, s.user_agent FROM sessions s
        WHERE s.user_id = $1 AND s.id = ANY($2::uuid[])`,
      [userId, ids],
      tx,
    );
    return rows.map((r) => ({ id: r.id, deviceName: r.device_name, userAgent: r.user_agent }));
  }

  async isLive(id: string, cut: LivenessCut, tx?: Tx): Promise<boolean> {
    const row = await this.db.one<{ live: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM sessions s WHERE ${LIVE} AND s.id = $3) AS live`,
      [cut.now, cut.idleSince, id],
      tx,
    );
    return row?.live ?? false;
  }

  /** Whether the session exists and is `active` (revocation only: expiry is not looked at). */
  async isActive(id: string, tx?: Tx): Promise<boolean> {
    const row = await this.db.one<{ active: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM sessions WHERE id = $1 AND status = 'active') AS active`,
      [id],
      tx,
    );
    return row?.active ?? false;
  }

  /**
   * Sessions revoked or compromised after `since`, with when (one statement, answered from
   * `ix_sessions_revoked_at`): what the access denylist must hold.
   */
  async revokedSince(since: Date, tx?: Tx): Promise<{ id: string; revokedAt: Date }[]> {
    const rows = await this.db.query<{ id: string; revoked_at: Date }>(
      `SELECT id, revoked_at FROM sessions WHERE status <> 'active' AND revoked_at > $1`,
      [since],
      tx,
    );
    return rows.map((row) => ({ id: row.id, revokedAt: row.revoked_at }));
  }

  /**
   * Deletes sessions past use (one statement): expired before `expiredBefore`, or revoked or
   * compromised before `revokedBefore`. Their tokens go with them (ON DELETE CASCADE).
   */
  async purge(cut: { expiredBefore: Date; revokedBefore: Date }, tx?: Tx): Promise<number> {
    const { affected } = await this.db.execute(
      `DELETE FROM sessions
        WHERE expires_at < $1 OR (status <> 'active' AND revoked_at < $2)`,
      [cut.expiredBefore, cut.revokedBefore],
      tx,
    );
    return affected;
  }
}

/**
 * A live session, with `$1` the time and `$2` the idle cut: the same boundaries as the refresh
 * rules (`judgeRefresh`, and `rotateIfCurrent`'s SQL): live up to the idle limit itself.
 */
const LIVE = `s.status = 'active' AND s.expires_at > $1 AND s.last_used_at >= $2`;
