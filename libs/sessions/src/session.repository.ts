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

export interface NewRefreshToken {
  sessionId: string;
  tokenHash: string;
  parentId: string | null;
  now: Date;
  expiresAt: Date;
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

  async insertSession(input: NewSession, manager?: EntityManager): Promise<SessionEntity> {
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
    await this.sessions(manager).insert(session);
    return session;
  }

  async insertRefreshToken(input: NewRefreshToken, manager?: EntityManager): Promise<string> {
    const id = randomUUID();
    await this.tokens(manager).insert({
      id,
      sessionId: input.sessionId,
      tokenHash: input.tokenHash,
      parentId: input.parentId,
      status: 'active',
      usedAt: null,
      createdAt: input.now,
      expiresAt: input.expiresAt,
    });
    return id;
  }

  /** The session a token belongs to (unlocked: a token never changes family). */
  async findSessionIdByTokenHash(
    tokenHash: string,
    manager?: EntityManager,
  ): Promise<string | null> {
    const token = await this.tokens(manager).findOne({
      select: { id: true, sessionId: true },
      where: { tokenHash },
    });
    return token?.sessionId ?? null;
  }

  /**
   * Reads and row-locks a session until `manager`'s transaction ends. Every path that changes
   * a family locks the session before its tokens, so two of them never deadlock.
   */
  lockSession(id: string, manager: EntityManager): Promise<SessionEntity | null> {
    return this.sessions(manager).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  /**
   * {@link lockSession} for the session a refresh token belongs to, found and locked in one
   * statement (a refresh's first round trip). The token row is not locked: lock it next with
   * {@link lockRefreshToken}. Null for an unknown token or a purged session.
   */
  lockSessionOfToken(tokenHash: string, manager: EntityManager): Promise<SessionEntity | null> {
    return this.sessions(manager)
      .createQueryBuilder('s')
      .setLock('pessimistic_write')
      .where('s.id = (SELECT t.session_id FROM refresh_tokens t WHERE t.token_hash = :tokenHash)', {
        tokenHash,
      })
      .getOne();
  }

  /** Reads and row-locks a token; call after {@link lockSession} on its session. */
  lockRefreshToken(tokenHash: string, manager: EntityManager): Promise<RefreshTokenEntity | null> {
    return this.tokens(manager).findOne({
      where: { tokenHash },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /**
   * Records a rotation in one statement: the presented token becomes `used` (if still active)
   * and its session's idle timeout restarts (the absolute expiry stays).
   */
  async recordRotation(
    rotation: {
      tokenId: string;
      sessionId: string;
      at: Date;
      userAgent: string | null;
      ipHash: string | null;
    },
    manager?: EntityManager,
  ): Promise<void> {
    await (manager ?? this.db.manager).query(
      `WITH used AS (
         UPDATE refresh_tokens SET status = 'used', used_at = $1 WHERE id = $2 AND status = 'active'
       )
       UPDATE sessions SET last_used_at = $1, user_agent = $3, ip_hash = $4 WHERE id = $5`,
      [rotation.at, rotation.tokenId, rotation.userAgent, rotation.ipHash, rotation.sessionId],
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

  private sessions(manager?: EntityManager): Repository<SessionEntity> {
    return (manager ?? this.db.manager).getRepository(SessionEntity);
  }

  private tokens(manager?: EntityManager): Repository<RefreshTokenEntity> {
    return (manager ?? this.db.manager).getRepository(RefreshTokenEntity);
  }
}
