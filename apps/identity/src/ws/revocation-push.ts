import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import {
  EventBus,
  type IdentityEvent,
  type IdentityEventMap,
  type RevocationReason,
} from '@identity/audit';
import type { RevokedMessage, RevokedReason } from '@identity/sessions-socket';
import { type SessionsNamespace, sessionRoom, userRoom } from './sessions-socket.types';
import { assertUnreachable } from '@identity/kernel';

// The wire's reason list is the event spine's, exactly: a reason added on one side only is a
// type error here, not a reason the web UI does not know.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _reasonsMatch: Same<RevocationReason, RevokedReason> = true;

type Revocation = IdentityEventMap['session.revoked'];

/** One broadcast: `message` to every socket in `room` but those in `except`, then disconnect them. */
export interface RevocationTarget {
  room: string;
  except?: string;
  message: RevokedMessage;
}

/**
 * Who hears of a revocation. Scope `session`: the sockets of each named session. Scope
 * `user`: every socket of the user, except those of the session the user kept (change-password
 * keeps the current session signed in, and its socket connected).
 */
export function revocationTargets(revocation: Revocation, at: Date): RevocationTarget[] {
  const { reason } = revocation;
  const when = at.toISOString();
  switch (revocation.scope) {
    case 'session':
      return revocation.sessionIds.map((id) => ({
        room: sessionRoom(id),
        message: { scope: 'session', session_id: id, reason, at: when },
      }));
    case 'user':
      return [
        {
          room: userRoom(revocation.userId),
          ...(revocation.keptSessionId ? { except: sessionRoom(revocation.keptSessionId) } : {}),
          message: { scope: 'user', reason, at: when },
        },
      ];
    default:
      return assertUnreachable(revocation.scope);
  }
}

function isRevocation(event: IdentityEvent): event is IdentityEvent<'session.revoked'> {
  return event.type === 'session.revoked';
}

/**
 * Forwards committed `session.revoked` events to the sockets of the dead sessions, then
 * disconnects them. `in(room).emit` and `in(room).disconnectSockets` go through the adapter,
 * so with the Redis adapter they reach sockets on every instance, in that order (one publisher
 * connection, one subscriber connection per instance). With Redis down, the sockets of this
 * instance are still told and cut; the others expire with their access tokens.
 */
@Injectable()
export class RevocationPush implements OnModuleInit {
  private readonly logger = new Logger('RevocationPush');
  private namespace: SessionsNamespace | undefined;
  /** Broadcasts sent since start, by reason: read by the metrics at scrape time. */
  private readonly pushedByReason = new Map<RevocationReason, number>();

  constructor(private readonly events: EventBus) {}

  onModuleInit(): void {
    this.events.onCommitted('session.revoked', (event) => this.push(event));
  }

  /** Called by the gateway once socket.io has created the namespace. */
  attach(namespace: SessionsNamespace): void {
    this.namespace = namespace;
  }

  /** Revocation broadcasts sent by this instance since it started, by reason. */
  pushed(): ReadonlyMap<RevocationReason, number> {
    return this.pushedByReason;
  }

  /** Sockets connected to this instance now. */
  connectedSockets(): number {
    return this.namespace?.sockets.size ?? 0;
  }

  private push(event: IdentityEvent): void {
    // Before the gateway is up no socket can be connected, so there is no one to tell.
    if (!isRevocation(event) || !this.namespace) return;
    for (const target of revocationTargets(event.payload, event.at)) {
      const sockets = target.except
        ? this.namespace.in(target.room).except(target.except)
        : this.namespace.in(target.room);
      sockets.emit('revoked', target.message);
      // The Redis adapter disconnects only when its request comes back through Redis, even
      // on this instance: cut the local sockets now, so a Redis outage cannot spare them.
      sockets.local.disconnectSockets(true);
      sockets.disconnectSockets(true);
    }
    const { reason } = event.payload;
    this.pushedByReason.set(reason, (this.pushedByReason.get(reason) ?? 0) + 1);
    this.logger.debug({ scope: event.payload.scope, reason }, 'revocation pushed');
  }
}
