import { Injectable, Logger } from '@nestjs/common';
import { AccessDenylist } from '@identity/tokens';

/** What to deny after a revocation has committed. */
export interface DenyAfterCommit {
  sessionIds: readonly string[];
  /** The access token the client presented (logout). */
  token?: { jti: string; expiresAt: Date };
}

/**
 * Kills the access tokens of revoked sessions, once the revocation has committed.
 *
 * A kv failure here is swallowed, never thrown: Postgres already holds the truth (the session
 * is revoked, its refresh tokens are dead), so failing the request would only tell the client
 * its logout failed when it did not. Nothing is lost either: the failed write makes the
 * denylist untrusted (`AccessDenylist`, which logs it once), so tokens are checked against the
 * session in Postgres until the denylist has been rebuilt from it.
 */
@Injectable()
export class SessionDenylist {
  private readonly logger = new Logger('SessionDenylist');

  constructor(private readonly denylist: AccessDenylist) {}

  /** Never rejects. */
  async deny(target: DenyAfterCommit): Promise<void> {
    const writes: Promise<void>[] = [];
    if (target.sessionIds.length > 0) writes.push(this.denylist.denySessions(target.sessionIds));
    if (target.token)
      writes.push(this.denylist.denyToken(target.token.jti, target.token.expiresAt));
    const results = await Promise.allSettled(writes);
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      // The loss itself is logged once by the denylist; this line only says a write was missed.
      // No ids in the log: the reason is what an operator needs (Redis down), not which sessions.
      this.logger.debug(
        { err: failure.reason instanceof Error ? failure.reason.message : String(failure.reason) },
        'access denylist write failed; Postgres decides until the denylist is rebuilt',
      );
    }
  }
}
