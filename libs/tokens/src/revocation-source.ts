/** A session that ended, as the access denylist needs to know it. */
export interface RevokedSessionEntry {
  sessionId: string;
  revokedAt: Date;
}

/**
 * Where revocations are true: the sessions context's table in Postgres. The access denylist
 * in the kv store is only a fast copy of it, and a copy can be lost (Redis restarted empty,
 * flushed, or unreachable while a revocation was written). This port lets the tokens context
 * ask the truth without importing the sessions context (which imports this one):
 * `@identity/sessions` binds it, globally, to its repository.
 *
 * Without a binding (the tokens context alone, in its own tests) the denylist is trusted as it
 * is and a kv failure fails the authentication closed, as before.
 */
export abstract class RevocationSource {
  /**
   * Whether the session may still be used: it exists and was not revoked (its status in
   * Postgres). False for an id that names no session.
   * @throws when Postgres cannot be reached.
   */
  abstract isSessionActive(sessionId: string): Promise<boolean>;

  /**
   * Every session revoked (or killed for reuse) after `since`, to rebuild the denylist.
   * @throws when Postgres cannot be reached.
   */
  abstract revokedSince(since: Date): Promise<RevokedSessionEntry[]>;
}
