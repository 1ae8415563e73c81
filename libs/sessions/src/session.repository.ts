import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager, Repository } from 'typeorm';
import type { RevocationReason } from '@identity/audit';
import { Database } from '@identity/database';
import { RefreshTokenEntity } from './refresh-token.entity';
import { SessionEntity } from './session.entity';

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
export type RotatedSession = Pick<SessionEntity, 'id' | 'userId' | 'amr' | 'expiresAt'>;

interface RotatedRow {
  id: string;
  user_id: string;
  amr: string[];
  expires_at: Date;
}

/** A refresh token and its session, both row-locked. */
export interface LockedFamily {
  session: SessionEntity;
  token: RefreshTokenEntity;
}

interface FamilyRow {
  id: string;
  user_id: string;
  status: SessionEntity['status'];
  amr: string[];
  device_name: string | null;
  user_agent: string | null;
  ip_hash: string | null;
  revoked_at: Date | null;
  revoked_reason: SessionEntity['revokedReason'];
  created_at: Date;
  last_used_at: Date;
  expires_at: Date;
  token_id: string;
  token_parent_id: string | null;
  token_status: RefreshTokenEntity['status'];
  token_used_at: Date | null;
  token_created_at: Date;
  token_expires_at: Date;
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
    manager?: EntityManager,
  ): Promise<SessionEntity> {
    const session: SessionEntity = {
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
    await this.run(manager).query(
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
    );
    return session;
  }

  /** The session a token belongs to (unlocked: a token never changes family). */
  async findSessionIdByTokenHash(
    tokenHash: string,
    manager?: EntityManager,
  ): Promise<string | null> {
    const [row] = await this.run(manager).query<{ session_id: string }[]>(
      `SELECT session_id FROM refresh_tokens WHERE token_hash = $1`,
      [tokenHash],
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
  async lockFamilyOfToken(tokenHash: string, manager: EntityManager): Promise<LockedFamily | null> {
    const [row] = await manager.query<FamilyRow[]>(
      `SELECT s.id, s.user_id, s.status, s.amr, s.device_name, s.user_agent, s.ip_hash,
              s.revoked_at, s.revoked_reason, s.created_at, s.last_used_at, s.expires_at,
              t.id AS token_id, t.parent_id AS token_parent_id, t.status AS token_status,
              t.used_at AS token_used_at, t.created_at AS token_created_at,
              t.expires_at AS token_expires_at
         FROM sessions s
         JOIN refresh_tokens t ON t.session_id = s.id
        WHERE t.token_hash = $1
          FOR UPDATE OF s, t`,
      [tokenHash],
    );
    if (!row) return null;
    return {
      session: {
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
      },
      token: {
        id: row.token_id,
        sessionId: row.id,
        tokenHash,
        parentId: row.token_parent_id,
        status: row.token_status,
        usedAt: row.token_used_at,
        createdAt: row.token_created_at,
        expiresAt: row.token_expires_at,
      },
    };
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
    const [row] = await this.db.manager.query<RotatedRow[]>(
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
    if (!row) return null;
    return { id: row.id, userId: row.user_id, amr: row.amr, expiresAt: row.expires_at };
  }

  /**
   * Records a rotation in one statement: the presented token becomes `used` (if still
   * active), its session's idle timeout restarts (the absolute expiry stays) and the family's
   * next token is stored. Call with the family locked ({@link lockFamilyOfToken}).
   */
  async recordRotation(rotation: Rotation, manager: EntityManager): Promise<void> {
    await manager.query(
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
    );
  }

  /** Ends the listed sessions that are still active (one statement); returns those it ended. */
  async revokeSessions(
    ids: readonly string[],
    revocation: SessionRevocation,
    manager?: EntityManager,
  ): Promise<RevokedSession[]> {
    if (ids.length === 0) return [];
    const query = this.sessions(manager)
      .createQueryBuilder()
      .update()
      .set({
        status: revocation.status,
        revokedAt: revocation.at,
        revokedReason: revocation.reason,
      })
      .where(`id = ANY(:ids::uuid[]) AND status = 'active'`, { ids })
      .returning('id, user_id');
    if (revocation.userId) query.andWhere('user_id = :userId', { userId: revocation.userId });
    const result = await query.execute();
    return (result.raw as { id: string; user_id: string }[]).map((row) => ({
      id: row.id,
      userId: row.user_id,
    }));
  }

  /** Ends every active session of a user, but `exceptSessionId` (one statement); returns their ids. */
  async revokeAllOfUser(
    userId: string,
    revocation: { reason: RevocationReason; at: Date; exceptSessionId?: string },
    manager?: EntityManager,
  ): Promise<string[]> {
    const query = this.sessions(manager)
      .createQueryBuilder()
      .update()
      .set({ status: 'revoked', revokedAt: revocation.at, revokedReason: revocation.reason })
      .where(`user_id = :userId AND status = 'active'`, { userId })
      .returning('id');
    if (revocation.exceptSessionId) {
      query.andWhere('id <> :except', { except: revocation.exceptSessionId });
    }
    const result = await query.execute();
    return (result.raw as { id: string }[]).map((row) => row.id);
  }

  /**
   * Revokes the still-active tokens of these families (one statement). Used tokens stay
   * `used`, so presenting one later is still recognised as reuse.
   */
  async revokeTokensOfSessions(
    sessionIds: readonly string[],
    manager?: EntityManager,
  ): Promise<void> {
    if (sessionIds.length === 0) return;
    await this.tokens(manager)
      .createQueryBuilder()
      .update()
      .set({ status: 'revoked' })
      .where(`session_id = ANY(:ids::uuid[]) AND status = 'active'`, { ids: sessionIds })
      .execute();
  }

  /** A user's live sessions, newest first. */
  listLiveByUser(
    userId: string,
    cut: LivenessCut,
    manager?: EntityManager,
  ): Promise<SessionEntity[]> {
    return this.live(manager, cut)
      .andWhere('s.user_id = :userId', { userId })
      .orderBy('s.created_at', 'DESC')
      .addOrderBy('s.id', 'DESC')
      .getMany();
  }

  async isLive(id: string, cut: LivenessCut, manager?: EntityManager): Promise<boolean> {
    return (await this.live(manager, cut).andWhere('s.id = :id', { id }).getCount()) > 0;
  }

  /**
   * Deletes sessions past use (one statement): expired before `expiredBefore`, or revoked or
   * compromised before `revokedBefore`. Their tokens go with them (ON DELETE CASCADE).
   */
  async purge(
    cut: { expiredBefore: Date; revokedBefore: Date },
    manager?: EntityManager,
  ): Promise<number> {
    const result = await this.sessions(manager)
      .createQueryBuilder()
      .delete()
      .where(
        `expires_at < :expiredBefore OR (status <> 'active' AND revoked_at < :revokedBefore)`,
        cut,
      )
      .execute();
    return result.affected ?? 0;
  }

  /** Same boundaries as the refresh rules (`judgeRefresh`): live up to the idle limit itself. */
  private live(manager: EntityManager | undefined, cut: LivenessCut) {
    return this.sessions(manager)
      .createQueryBuilder('s')
      .where(`s.status = 'active'`)
      .andWhere('s.expires_at > :now', { now: cut.now })
      .andWhere('s.last_used_at >= :idleSince', { idleSince: cut.idleSince });
  }

  private run(manager?: EntityManager): EntityManager {
    return manager ?? this.db.manager;
  }

  private sessions(manager?: EntityManager): Repository<SessionEntity> {
    return (manager ?? this.db.manager).getRepository(SessionEntity);
  }

  private tokens(manager?: EntityManager): Repository<RefreshTokenEntity> {
    return (manager ?? this.db.manager).getRepository(RefreshTokenEntity);
  }
}
