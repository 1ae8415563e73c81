/**
 * The event spine: every security-relevant change is one of these events, published once by
 * the domain service that caused it. Subscribers decide what follows (audit row, webhook
 * outbox row, socket push, metrics).
 *
 * Payloads name ids only: never an email, token, password or raw IP (`ipHash` is the keyed
 * hash of the client IP). `userId`/`sessionId` land in the audit row's columns; the other
 * fields become its `metadata`.
 */

/** Why sessions died; the socket gateway forwards this as the `revoked` event's `reason`. */
export type RevocationReason =
  | 'logout'
  | 'logout_all'
  | 'session_revoked'
  | 'password_changed'
  | 'password_reset'
  | 'refresh_reused'
  | 'account_locked'
  /** The owner confirmed a new email address: every other session ends. */
  | 'email_changed'
  /** The owner deleted the account. */
  | 'account_deleted';

/** How a sign-in's first factor was passed: a password, or a federated provider. */
export type SignInMethod = 'password' | 'federated';

/**
 * Why a sign-in was refused. The federated ones are the codes the browser or client got:
 * `oidc_denied` (the user said no at the provider), `oidc_failed` (the round trip failed; the
 * event's `detail` says where), `oidc_email_unverified` (the provider does not vouch for the
 * email), `oidc_code_invalid` (an unknown, used or expired exchange code).
 */
export type LoginFailureReason =
  | 'invalid_credentials'
  | 'email_not_verified'
  | 'account_locked'
  | 'mfa_invalid'
  | 'oidc_denied'
  | 'oidc_failed'
  | 'oidc_email_unverified'
  | 'oidc_code_invalid';

/** Fields every event may carry. */
export interface EventBase {
  userId?: string;
  sessionId?: string;
  ipHash?: string;
}

export interface IdentityEventMap {
  'user.registered': EventBase & { userId: string; via: 'password' | 'oidc' };
  'user.email_verified': EventBase & { userId: string };
  'user.password_changed': EventBase & { userId: string };
  'user.password_reset_requested': EventBase & { userId: string };
  'user.password_reset': EventBase & { userId: string };
  'user.locked': EventBase & { userId: string; actorId?: string };
  'user.unlocked': EventBase & { userId: string; actorId?: string };
  'user.roles_changed': EventBase & { userId: string; roles: string[]; actorId?: string };
  /** The owner asked to move the account to another address (nothing changed yet). */
  'user.email_change_requested': EventBase & { userId: string };
  /** The owner confirmed the link sent to the new address: the account has it now. */
  'user.email_changed': EventBase & { userId: string };
  /**
   * The account was deleted: its personal data is erased, its sessions revoked; audit rows
   * keep the id. `actorId` when an admin did it.
   */
  'user.deleted': EventBase & { userId: string; actorId?: string };
  'auth.login.succeeded': EventBase & {
    userId: string;
    sessionId: string;
    amr: string[];
    method: SignInMethod;
  };
  'auth.login.failed': EventBase & {
    reason: LoginFailureReason;
    /** How the refused sign-in came (unset for password sign-ins recorded before this field). */
    method?: SignInMethod;
    /** The federated provider's route name (`google`, `github`, OIDC_NAME). */
    provider?: string;
    /** A finer, non-personal reason (a federated round trip's failure point). */
    detail?: string;
  };
  'auth.login.throttled': EventBase & { scope: string };
  'auth.refresh.reused': EventBase & { userId: string; sessionId: string };
  /**
   * One or all sessions of a user died. `scope: 'session'` names the session; `scope: 'user'`
   * means every session of the user (optionally except `keptSessionId`).
   */
  'session.revoked': EventBase & {
    userId: string;
    scope: 'session' | 'user';
    reason: RevocationReason;
    sessionIds: string[];
    keptSessionId?: string;
  };
  /** A federated identity was linked to the account (ids and the provider's name only). */
  'identity.linked': EventBase & { userId: string; provider: string };
  /** A federated identity was removed from the account. */
  'identity.unlinked': EventBase & { userId: string; provider: string };
  'mfa.enabled': EventBase & { userId: string };
  /** Turned off by its owner, or reset by an operator (`actorId`, e.g. the CLI's `reset-mfa`). */
  'mfa.disabled': EventBase & { userId: string; actorId?: string };
  'mfa.recovery_code_used': EventBase & { userId: string; remaining: number };
  'mfa.recovery_codes_regenerated': EventBase & { userId: string };
  'key.rotated': EventBase & {
    kid: string;
    previousKid?: string;
    reason: 'initial' | 'scheduled' | 'manual';
  };
  'role.updated': EventBase & { role: string; permissions: string[]; actorId?: string };
  'role.deleted': EventBase & { role: string; actorId?: string };
  'webhook.created': EventBase & { webhookId: string; actorId?: string };
  'webhook.deleted': EventBase & { webhookId: string; actorId?: string };
  /** A receiver's url, events, format or enabled flag changed: `changes` names which. */
  'webhook.updated': EventBase & {
    webhookId: string;
    actorId?: string;
    changes: ('url' | 'events' | 'format' | 'enabled')[];
    enabled: boolean;
  };
  /** A receiver got a new secret; the previous one keeps signing until `previousValidUntil`. */
  'webhook.secret_rotated': EventBase & {
    webhookId: string;
    actorId?: string;
    previousValidUntil: string;
  };
  /** An admin asked for a test delivery; it goes to that receiver only, as `webhook.test`. */
  'webhook.test': EventBase & { webhookId: string; actorId?: string };
}

export type IdentityEventType = keyof IdentityEventMap;

/** Every event type, for validation of filters and webhook subscriptions. */
export const IDENTITY_EVENT_TYPES = [
  'user.registered',
  'user.email_verified',
  'user.password_changed',
  'user.password_reset_requested',
  'user.password_reset',
  'user.locked',
  'user.unlocked',
  'user.roles_changed',
  'user.email_change_requested',
  'user.email_changed',
  'user.deleted',
  'auth.login.succeeded',
  'auth.login.failed',
  'auth.login.throttled',
  'auth.refresh.reused',
  'session.revoked',
  'identity.linked',
  'identity.unlinked',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.recovery_code_used',
  'mfa.recovery_codes_regenerated',
  'key.rotated',
  'role.updated',
  'role.deleted',
  'webhook.created',
  'webhook.deleted',
  'webhook.updated',
  'webhook.secret_rotated',
  'webhook.test',
] as const satisfies readonly IdentityEventType[];

// `satisfies` alone lets a type missing from the list slip through; this makes it a type error.
type UnlistedEventType = Exclude<IdentityEventType, (typeof IDENTITY_EVENT_TYPES)[number]>;
const _everyEventTypeListed: [UnlistedEventType] extends [never] ? true : UnlistedEventType = true;

/** An event as subscribers receive it. */
export interface IdentityEvent<K extends IdentityEventType = IdentityEventType> {
  type: K;
  payload: IdentityEventMap[K];
  at: Date;
}
