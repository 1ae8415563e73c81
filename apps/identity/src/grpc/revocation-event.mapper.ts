import type { FeedMessage, RevocationChange } from '@identity/access';
import { assertUnreachable } from '@identity/kernel';
import type { RevocationEvent } from './identity.messages';

/** Unix seconds, rounded up: a deadline must never come early. */
const unixSeconds = (at: Date): number => Math.ceil(at.getTime() / 1000);

/** One message of the revocation feed as `identity.v1.RevocationEvent`. */
export function toRevocationEvent(message: FeedMessage): RevocationEvent {
  const base = { cursor: message.cursor, at_ms: message.at.getTime() };
  switch (message.kind) {
    case 'caught_up':
      return { ...base, event: 'caught_up', caught_up: {} };
    case 'heartbeat':
      return { ...base, event: 'heartbeat', heartbeat: {} };
    case 'change':
      return { ...base, ...fromChange(message.change) };
    default:
      return assertUnreachable(message, 'feed message');
  }
}

function fromChange(change: RevocationChange): Omit<RevocationEvent, 'cursor' | 'at_ms'> {
  switch (change.kind) {
    case 'sessions_revoked':
      return {
        event: 'sessions_revoked',
        sessions_revoked: {
          user_id: change.userId,
          session_ids: change.sessionIds,
          until: unixSeconds(change.until),
          reason: change.reason,
        },
      };
    case 'user_locked':
      return {
        event: 'user_locked',
        user_locked: { user_id: change.userId, until: unixSeconds(change.until) },
      };
    case 'user_unlocked':
      return { event: 'user_unlocked', user_unlocked: { user_id: change.userId } };
    case 'user_access_changed':
      return {
        event: 'user_access_changed',
        user_access_changed: { user_id: change.userId, roles: change.roles },
      };
    case 'role_changed':
      return {
        event: 'role_changed',
        role_changed: { role: change.role, deleted: change.deleted },
      };
    default:
      return assertUnreachable(change, 'revocation change');
  }
}
