import { Injectable } from '@nestjs/common';
import { EventBus, type RevocationReason } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { hashToken } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { SessionDenylist } from './session-denylist';
import { type RevokedSession, SessionRepository } from './session.repository';
import { type LogoutInput, type RevokeAllInput, SessionError } from './sessions.contract';
import { Clock } from '@identity/kernel';

/**
 * Ending sessions on purpose: logout, "sign out everywhere", password change/reset, admin
 * lock, and revoking one listed session. Each revocation commits with its `session.revoked`
 * event; access tokens are denied once it has committed (a rolled-back revocation denies
 * nothing).
 */
@Injectable()
export class SessionRevocationService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly db: Database,
    private readonly sessions: SessionRepository,
    private readonly events: EventBus,
    private readonly denylist: SessionDenylist,
    private readonly clock: Clock,
  ) {}

  /** Ends the presented session; idempotent, never throws for an unknown or dead one. */
  async logout(input: LogoutInput): Promise<void> {
    const revoked = await this.db.withTransaction(async (tx) => {
      const ids = await this.logoutTargets(input, tx);
      return this.endSessions(tx, ids, { reason: 'logout', userId: input.userId });
    });
    await this.denylist.deny({
      sessionIds: revoked.map((s) => s.id),
      token: input.accessJti
        ? {
            jti: input.accessJti,
            expiresAt: input.accessExpiresAt ?? this.clock.after(this.config.jwt.accessTtl),
          }
        : undefined,
    });
  }

  /**
   * Ends every active session of a user but `exceptSessionId`: one statement for the sessions,
   * one for their tokens, one `session.revoked` event. Returns the ids it ended.
   */
  async revokeAll(tx: Tx | undefined, input: RevokeAllInput): Promise<string[]> {
    if (tx) {
      const ids = await this.revokeAllIn(tx, input);
      // The caller's transaction may still roll back: deny only once it has committed.
      // Fire-and-forget: `deny` never rejects, it logs.
      if (ids.length > 0) {
        this.db.afterCommit(tx, () => void this.denylist.deny({ sessionIds: ids }));
      }
      return ids;
    }
    const ids = await this.db.withTransaction((own) => this.revokeAllIn(own, input));
    await this.denylist.deny({ sessionIds: ids });
    return ids;
  }

  /**
   * Ends one of the user's own sessions.
   * @throws SessionError `session.not_found` for an unknown, foreign, already ended or
   * malformed id: the answer never tells another user's session from a missing one.
   */
  async revoke(userId: string, sessionId: string): Promise<void> {
    const revoked = await this.db.withTransaction((tx) =>
      this.endSessions(tx, [sessionId], { reason: 'session_revoked', userId }),
    );
    if (revoked.length === 0) throw new SessionError('session.not_found');
    await this.denylist.deny({ sessionIds: revoked.map((s) => s.id) });
  }

  /** The sessions a logout names: the access token's, and the refresh token's. */
  private async logoutTargets(input: LogoutInput, tx: Tx): Promise<string[]> {
    const ids = new Set<string>();
    if (input.sessionId) ids.add(input.sessionId.toLowerCase());
    if (input.refreshToken) {
      const id = await this.sessions.findSessionIdByTokenHash(hashToken(input.refreshToken), tx);
      if (id) ids.add(id);
    }
    return [...ids];
  }

  /** Ends these sessions (those still active, and the user's when given), one event each. */
  private async endSessions(
    tx: Tx,
    ids: string[],
    end: { reason: RevocationReason; userId?: string },
  ): Promise<RevokedSession[]> {
    const revoked = await this.sessions.revokeSessions(
      ids,
      { status: 'revoked', reason: end.reason, at: this.clock.now(), userId: end.userId },
      tx,
    );
    await this.sessions.revokeTokensOfSessions(
      revoked.map((s) => s.id),
      tx,
    );
    for (const session of revoked) {
      await this.events.emit(tx, 'session.revoked', {
        userId: session.userId,
        sessionId: session.id,
        scope: 'session',
        reason: end.reason,
        sessionIds: [session.id],
      });
    }
    return revoked;
  }

  private async revokeAllIn(tx: Tx, input: RevokeAllInput): Promise<string[]> {
    const kept = input.exceptSessionId;
    const ids = await this.sessions.revokeAllOfUser(
      input.userId,
      { reason: input.reason, at: this.clock.now(), exceptSessionId: kept },
      tx,
    );
    // Nothing ended, nothing to announce: no socket of the user can be live without a session.
    if (ids.length === 0) return ids;
    await this.sessions.revokeTokensOfSessions(ids, tx);
    await this.events.emit(tx, 'session.revoked', {
      userId: input.userId,
      ipHash: input.ipHash,
      scope: 'user',
      reason: input.reason,
      sessionIds: ids,
      ...(kept ? { keptSessionId: kept } : {}),
    });
    return ids;
  }
}
