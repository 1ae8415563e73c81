import { Global, Injectable, Module } from '@nestjs/common';
import { isUuid } from '@identity/kernel';
import { RevocationSource, type RevokedSessionEntry } from '@identity/tokens';
import { SessionRepository } from './session.repository';

/**
 * The truth behind the access denylist: a session's status in Postgres. Bound globally as the
 * tokens context's {@link RevocationSource}, so `authenticate()` can fall back on it when the
 * kv copy is not trusted, and the copy can be rebuilt from it.
 */
@Injectable()
export class SessionRevocationSource extends RevocationSource {
  constructor(private readonly sessions: SessionRepository) {
    super();
  }

  /** An id that is not a UUID names no session of ours (and must not reach the query). */
  isSessionActive(sessionId: string): Promise<boolean> {
    if (!isUuid(sessionId)) return Promise.resolve(false);
    return this.sessions.isActive(sessionId);
  }

  async revokedSince(since: Date): Promise<RevokedSessionEntry[]> {
    const rows = await this.sessions.revokedSince(since);
    return rows.map((row) => ({ sessionId: row.id, revokedAt: row.revokedAt }));
  }
}

/**
 * Global, because the tokens context (imported by this one) must find the binding: its
 * `AccessDenylist` asks for an optional {@link RevocationSource}. Imported by `SessionsModule`.
 */
@Global()
@Module({
  providers: [SessionRepository, { provide: RevocationSource, useClass: SessionRevocationSource }],
  exports: [RevocationSource],
})
export class SessionRevocationSourceModule {}
