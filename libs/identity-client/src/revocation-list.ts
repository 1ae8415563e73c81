/**
 * What the revocation stream said is dead, in memory: revoked sessions and locked users, each
 * until no token it could concern can still pass `exp` (its `until` plus the leeway this
 * service allows). Small: it holds one access-token lifetime of revocations.
 */
export class RevocationList {
  private readonly sessions = new Map<string, number>();
  private readonly lockedUsers = new Map<string, number>();

  /** @param toleranceMs the `exp` leeway of this service's verification. */
  constructor(private readonly toleranceMs: number) {}

  revokeSessions(sessionIds: readonly string[], untilMs: number): void {
    const keep = untilMs + this.toleranceMs;
    for (const id of sessionIds) {
      const key = id.toLowerCase();
      this.sessions.set(key, Math.max(keep, this.sessions.get(key) ?? 0));
    }
  }

  lockUser(userId: string, untilMs: number): void {
    this.lockedUsers.set(userId.toLowerCase(), untilMs + this.toleranceMs);
  }

  unlockUser(userId: string): void {
    this.lockedUsers.delete(userId.toLowerCase());
  }

  /** Why a token of this session and user must be refused, or null when nothing says so. */
  refusal(
    token: { sessionId: string; userId: string },
    nowMs: number,
  ): 'revoked' | 'user_locked' | null {
    const session = this.sessions.get(token.sessionId.toLowerCase());
    if (session !== undefined && session >= nowMs) return 'revoked';
    const locked = this.lockedUsers.get(token.userId.toLowerCase());
    if (locked !== undefined && locked >= nowMs) return 'user_locked';
    return null;
  }

  /** Forgets what can no longer concern a token that passes `exp`. */
  sweep(nowMs: number): void {
    for (const [id, until] of this.sessions) if (until < nowMs) this.sessions.delete(id);
    for (const [id, until] of this.lockedUsers) if (until < nowMs) this.lockedUsers.delete(id);
  }

  get size(): { sessions: number; lockedUsers: number } {
    return { sessions: this.sessions.size, lockedUsers: this.lockedUsers.size };
  }
}
