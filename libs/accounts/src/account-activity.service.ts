import { Injectable } from '@nestjs/common';
import { AuditLogRepository } from '@identity/audit';
import { type ClientContext, IpHasher, SessionService, type SessionView } from '@identity/sessions';

/**
 * The events a person sees in their own recent activity (`GET /auth/me/activity`): sign-ins
 * and refused ones, changes of the password, the second factor, the address and the linked
 * sign-ins, and ended sessions. All of them are event types of API.md's webhook list.
 */
export const ACTIVITY_EVENT_TYPES = [
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.login.throttled',
  'auth.mfa.failed',
  'auth.refresh.reused',
  'session.revoked',
  'user.password_changed',
  'user.password_reset',
  'mfa.enabled',
  'mfa.disabled',
  'user.email_changed',
  'identity.linked',
  'identity.unlinked',
] as const;

export type ActivityEventType = (typeof ACTIVITY_EVENT_TYPES)[number];

/** One entry of the activity, before the transport names the device. */
export interface ActivityItem {
  type: ActivityEventType;
  createdAt: Date;
  /** How the session the event happened in described its device; null when none is known. */
  device: Pick<SessionView, 'deviceName' | 'userAgent'> | null;
  /**
   * Whether the event came from the network the request for the activity comes from (its IP
   * compared by keyed hash: no IP is ever stored); null when the event recorded none.
   */
  sameNetwork: boolean | null;
}

/** A page of activity, newest first. */
export interface ActivityPage {
  items: ActivityItem[];
  /** The cursor of the next page, or null on the last one. */
  nextBefore: string | null;
}

/** Page size when none is asked for, and the most one page holds. */
export const ACTIVITY_DEFAULT_LIMIT = 20;
export const ACTIVITY_MAX_LIMIT = 100;

/**
 * A user's own security events, read from the audit trail (which holds ids and keyed IP hashes
 * only). The device is the one of the session the event names, while that session is kept.
 */
@Injectable()
export class AccountActivityService {
  constructor(
    private readonly auditLog: AuditLogRepository,
    private readonly sessions: SessionService,
    private readonly ipHasher: IpHasher,
  ) {}

  /**
   * One page of the user's activity, newest first. `before` is a previous page's
   * `nextBefore` (the transport checks it is a positive integer); `limit` is clamped to
   * 1..{@link ACTIVITY_MAX_LIMIT}.
   */
  async list(
    input: { userId: string; before?: string; limit?: number },
    client: ClientContext,
  ): Promise<ActivityPage> {
    const limit = Math.min(
      ACTIVITY_MAX_LIMIT,
      Math.max(1, Math.trunc(input.limit ?? ACTIVITY_DEFAULT_LIMIT)),
    );
    const page = await this.auditLog.listOfUser({
      userId: input.userId,
      types: ACTIVITY_EVENT_TYPES,
      before: input.before,
      limit,
    });
    const sessionIds = page.rows.flatMap((row) => (row.sessionId ? [row.sessionId] : []));
    const devices = await this.sessions.devicesOf(input.userId, sessionIds);
    const here = this.ipHasher.hash(client.ip);
    return {
      items: page.rows.map((row) => ({
        type: row.type as ActivityEventType,
        createdAt: row.createdAt,
        device: (row.sessionId && devices.get(row.sessionId)) || null,
        sameNetwork: row.ipHash === null ? null : row.ipHash === here,
      })),
      nextBefore: page.nextBefore,
    };
  }
}
