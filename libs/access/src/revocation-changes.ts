import type { AuditLogEntry, IdentityEventType } from '@identity/audit';

/**
 * What a service that verifies access tokens on its own must learn from the event spine: which
 * sessions died, which accounts are locked, and whose permissions changed. Ids only.
 */
export type RevocationChange =
  | {
      kind: 'sessions_revoked';
      userId: string;
      sessionIds: string[];
      reason: string;
      /** No access token of these sessions can be valid after this (revocation + access TTL). */
      until: Date;
    }
  | { kind: 'user_locked'; userId: string; until: Date }
  | { kind: 'user_unlocked'; userId: string }
  | { kind: 'user_access_changed'; userId: string; roles: string[] }
  | { kind: 'role_changed'; role: string; deleted: boolean };

/** The event types that carry a {@link RevocationChange}, as their audit rows are typed. */
export const REVOCATION_EVENT_TYPES = [
  'session.revoked',
  'user.locked',
  'user.unlocked',
  'user.roles_changed',
  'role.updated',
  'role.deleted',
] as const satisfies readonly IdentityEventType[];

/**
 * The change an audit row records, or null for a row of another type or one whose metadata
 * lacks what the change needs (never expected: the rows are written from typed events).
 * Revocations last as long as the tokens they kill: `until` is the row's time plus the access
 * token lifetime, since every token of a revoked session was minted before the revocation.
 */
export function toRevocationChange(
  entry: AuditLogEntry,
  accessTtlSeconds: number,
): RevocationChange | null {
  const meta = entry.metadata as Record<string, unknown>;
  const until = new Date(entry.createdAt.getTime() + accessTtlSeconds * 1000);
  switch (entry.type) {
    case 'session.revoked': {
      const listed = strings(meta.sessionIds);
      const sessionIds = listed.length > 0 ? listed : entry.sessionId ? [entry.sessionId] : [];
      if (!entry.userId) return null;
      return {
        kind: 'sessions_revoked',
        userId: entry.userId,
        sessionIds,
        reason: typeof meta.reason === 'string' ? meta.reason : 'session_revoked',
        until,
      };
    }
    case 'user.locked':
      return entry.userId ? { kind: 'user_locked', userId: entry.userId, until } : null;
    case 'user.unlocked':
      return entry.userId ? { kind: 'user_unlocked', userId: entry.userId } : null;
    case 'user.roles_changed':
      return entry.userId
        ? { kind: 'user_access_changed', userId: entry.userId, roles: strings(meta.roles) }
        : null;
    case 'role.updated':
    case 'role.deleted':
      return typeof meta.role === 'string'
        ? { kind: 'role_changed', role: meta.role, deleted: entry.type === 'role.deleted' }
        : null;
    default:
      return null;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
