import type {
  AnyWebhookEvent,
  WebhookEvent,
  WebhookEventMap,
  WebhookEventType,
} from './webhook-events';

/**
 * The OCSF schema version the bodies conform to (`metadata.version`). 1.4.0 is the oldest
 * release with every activity used here (Account Change's `Unlock` arrived in 1.4.0); the
 * required attributes of the classes used are the same from 1.0.0 to 1.8.0.
 */
export const OCSF_SCHEMA_VERSION = '1.4.0';

/** This platform as `metadata.product` (`vendor_name` was required before OCSF 1.4). */
export interface OcsfProduct {
  name: string;
  vendorName: string;
  /** The platform's release, not the schema's. */
  version: string;
}

const IAM_CATEGORY = { uid: 3, name: 'Identity & Access Management' } as const;
const UNCATEGORIZED = { uid: 0, name: 'Uncategorized' } as const;
/** `class_uid` = category × 1000 + the class's number in its category. */
export const OCSF_CLASS = {
  base: { uid: 0, name: 'Base Event', category: UNCATEGORIZED },
  accountChange: { uid: 3001, name: 'Account Change', category: IAM_CATEGORY },
  authentication: { uid: 3002, name: 'Authentication', category: IAM_CATEGORY },
} as const;
type OcsfClass = (typeof OCSF_CLASS)[keyof typeof OCSF_CLASS];

interface Activity {
  id: number;
  name: string;
}
const activity = (id: number, name: string): Activity => ({ id, name });
/** `99 Other` with our own name: valid in every class, for what the class has no id for. */
const other = (name: string): Activity => activity(99, name);

/** Authentication (3002) activities used. */
const LOGON = activity(1, 'Logon');
const LOGOFF = activity(2, 'Logoff');
/** Account Change (3001) activities used. */
const CREATE = activity(1, 'Create');
const PASSWORD_CHANGE = activity(3, 'Password Change');
const PASSWORD_RESET = activity(4, 'Password Reset');
const DELETE = activity(6, 'Delete');
const LOCK = activity(9, 'Lock');
const MFA_ENABLE = activity(10, 'MFA Factor Enable');
const MFA_DISABLE = activity(11, 'MFA Factor Disable');
const UNLOCK = activity(12, 'Unlock');

const SEVERITY = { informational: 1, low: 2, medium: 3, high: 4 } as const;
type Severity = keyof typeof SEVERITY;
const SEVERITY_NAME: Record<Severity, string> = {
  informational: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
};
const STATUS = { success: { id: 1, name: 'Success' }, failure: { id: 2, name: 'Failure' } };

/** Who an event is about or who acted (`user`, `actor.user`): ids only, never an email. */
export interface OcsfUser {
  uid?: string;
  name?: string;
  type_id: 0 | 1 | 2;
  type: 'Unknown' | 'User' | 'Admin';
  groups?: { name: string }[];
}

/** The OCSF event a receiver in the `ocsf` format gets. */
export interface OcsfEvent {
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; version: string };
    /** The identity event type (`auth.login.failed`, ...): what the source calls it. */
    event_code: WebhookEventType;
  };
  /** Milliseconds since the epoch (OCSF `timestamp_t`). */
  time: number;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  activity_id: number;
  activity_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  status_detail?: string;
  message: string;
  user?: OcsfUser;
  actor?: { user: OcsfUser };
  session?: { uid: string };
  /** Where the request came from, as the keyed hash of its IP: never the raw address. */
  src_endpoint?: { uid: string };
  user_result?: OcsfUser;
  service?: { name: string };
  auth_protocol_id?: number;
  auth_protocol?: string;
  is_mfa?: boolean;
  is_remote?: boolean;
  /** Source-specific values OCSF has no attribute for (OCSF's own escape hatch). */
  unmapped?: Record<string, string | string[]>;
}

/** What one event type contributes beyond the fields every event gets. */
interface Mapping<K extends WebhookEventType> {
  cls: OcsfClass;
  activity: Activity;
  severity?: Severity;
  /** Events record what happened; only attempts that were refused say otherwise. */
  failure?: boolean;
  detail?: (payload: WebhookEventMap[K]) => string;
  /** Authentication only: whether a second factor was part of it. */
  isMfa?: (payload: WebhookEventMap[K]) => boolean;
  /** Authentication only: how the subject authenticated. */
  protocol?: (payload: WebhookEventMap[K]) => string | undefined;
  extra?: (payload: WebhookEventMap[K]) => Pick<OcsfEvent, 'user_result' | 'unmapped'>;
}
type MappingOptions<K extends WebhookEventType> = Omit<Mapping<K>, 'cls' | 'activity'>;

const authentication = <K extends WebhookEventType>(
  act: Activity,
  options: MappingOptions<K> = {},
): Mapping<K> => ({ cls: OCSF_CLASS.authentication, activity: act, ...options });
const accountChange = <K extends WebhookEventType>(
  act: Activity,
  options: MappingOptions<K> = {},
): Mapping<K> => ({ cls: OCSF_CLASS.accountChange, activity: act, ...options });

const SECOND_FACTORS = new Set(['otp', 'rec']);
const PASSWORD = () => 'Password';

/** The `auth_protocol_id` values OCSF names (1.x enum); anything else is `99 Other` with its name. */
const OCSF_AUTH_PROTOCOL_IDS: Readonly<Record<string, number>> = { OpenID: 4, 'OAUTH 2.0': 6 };
const ONE_TIME_CODE = () => 'One-Time Code';

/**
 * Which OCSF event each webhook event type becomes: sign-in, sign-out and MFA steps are
 * Authentication (3002); registration, password, MFA enrolment, lock, role, email, identity
 * and deletion changes are Account Change (3001), with `99 Other` and a name where 3001 has
 * no activity for it. A new type is one line here (the mapped type makes forgetting one a
 * compile error).
 *
 * Not sent in OCSF at all (null):
 * - `key.rotated`: a signing-key rotation concerns no user, and `user` is required in both
 *   IAM classes; it is the platform's own housekeeping, not an authentication or an account
 *   change, and forcing it into a Base Event with activity "Other" would give a SIEM nothing
 *   to map on. Receivers that want it subscribe in the `standard` format.
 * `webhook.test` is sent, as a Base Event (class 0): its point is to let an operator check
 * that the receiving pipeline parses what this receiver will get.
 */
const OCSF_MAPPINGS: { readonly [K in WebhookEventType]: Mapping<K> | null } = {
  'auth.login.succeeded': authentication(LOGON, {
    isMfa: (p) => p.amr.some((m) => SECOND_FACTORS.has(m)),
    protocol: (p) => (p.method === 'federated' ? 'OpenID' : 'Password'),
  }),
  'auth.login.failed': authentication(LOGON, {
    failure: true,
    severity: 'low',
    detail: (p) => p.reason,
    isMfa: (p) => p.reason === 'mfa_invalid',
    protocol: (p) =>
      p.reason === 'mfa_invalid'
        ? 'One-Time Code'
        : p.method === 'federated'
          ? 'OpenID'
          : 'Password',
  }),
  'auth.login.throttled': authentication(LOGON, {
    failure: true,
    severity: 'medium',
    detail: (p) => `throttled (${p.scope})`,
    protocol: PASSWORD,
  }),
  'auth.mfa.failed': authentication(LOGON, {
    failure: true,
    severity: 'low',
    detail: () => 'mfa_invalid',
    isMfa: () => true,
    protocol: ONE_TIME_CODE,
  }),
  'auth.refresh.reused': authentication(other('Refresh Token Reuse'), {
    failure: true,
    severity: 'high',
    detail: () => 'refresh_reused',
    protocol: () => 'Refresh Token',
  }),
  'session.revoked': authentication(LOGOFF, {
    detail: (p) => p.reason,
    extra: (p) => ({
      unmapped: { scope: p.scope, ...(p.scope === 'user' ? { session_uids: p.sessionIds } : {}) },
    }),
  }),
  'user.registered': accountChange(CREATE, { extra: (p) => ({ unmapped: { via: p.via } }) }),
  'user.locked': accountChange(LOCK, { severity: 'medium' }),
  'user.unlocked': accountChange(UNLOCK),
  'user.roles_changed': accountChange(other('Roles Change'), {
    severity: 'medium',
    extra: (p) => ({
      user_result: { ...subject(p.userId), groups: p.roles.map((name) => ({ name })) },
    }),
  }),
  'user.password_changed': accountChange(PASSWORD_CHANGE),
  'user.password_reset': accountChange(PASSWORD_RESET),
  'mfa.enabled': accountChange(MFA_ENABLE),
  'mfa.disabled': accountChange(MFA_DISABLE, { severity: 'medium' }),
  'identity.linked': accountChange(other('Identity Link'), {
    extra: (p) => ({ unmapped: { provider: p.provider } }),
  }),
  'identity.unlinked': accountChange(other('Identity Unlink'), {
    extra: (p) => ({ unmapped: { provider: p.provider } }),
  }),
  'user.email_changed': accountChange(other('Email Change'), { severity: 'low' }),
  'user.deleted': accountChange(DELETE, { severity: 'low' }),
  'key.rotated': null,
  'webhook.test': {
    cls: OCSF_CLASS.base,
    activity: other('Webhook Test'),
    extra: (p) => ({ unmapped: { webhook_id: p.webhookId } }),
  },
};

/** Event types that receivers in the `ocsf` format never get (see `OCSF_MAPPINGS`). */
export const OCSF_NOT_SENT: readonly WebhookEventType[] = (
  Object.keys(OCSF_MAPPINGS) as WebhookEventType[]
).filter((type) => OCSF_MAPPINGS[type] === null);

/** The OCSF class an event type is sent as, or null when it is not sent in OCSF. */
export function ocsfClassOf(type: WebhookEventType): { uid: number; name: string } | null {
  const mapping = OCSF_MAPPINGS[type];
  return mapping && { uid: mapping.cls.uid, name: mapping.cls.name };
}

/**
 * The OCSF 1.x event for a webhook event, or null for a type not sent in OCSF. It names the
 * user, session, actor and source only by ids (the source by the keyed IP hash).
 */
export function buildOcsfEvent(event: AnyWebhookEvent, product: OcsfProduct): OcsfEvent | null {
  return mapEvent(event as WebhookEvent<WebhookEventType>, product);
}

function mapEvent<K extends WebhookEventType>(
  event: WebhookEvent<K>,
  product: OcsfProduct,
): OcsfEvent | null {
  const mapping: Mapping<K> | null = OCSF_MAPPINGS[event.type];
  if (!mapping) return null;
  const { cls, activity: act } = mapping;
  const payload = event.payload;
  const base: EventBaseFields = payload;
  const severity = mapping.severity ?? 'informational';
  const status = mapping.failure ? STATUS.failure : STATUS.success;
  const detail = mapping.detail?.(payload);
  const ocsf: OcsfEvent = {
    metadata: {
      version: OCSF_SCHEMA_VERSION,
      product: { name: product.name, vendor_name: product.vendorName, version: product.version },
      event_code: event.type,
    },
    time: event.at.getTime(),
    category_uid: cls.category.uid,
    category_name: cls.category.name,
    class_uid: cls.uid,
    class_name: cls.name,
    activity_id: act.id,
    activity_name: act.name,
    type_uid: cls.uid * 100 + act.id,
    type_name: `${cls.name}: ${act.name}`,
    severity_id: SEVERITY[severity],
    severity: SEVERITY_NAME[severity],
    status_id: status.id,
    status: status.name,
    ...(detail === undefined ? {} : { status_detail: detail }),
    message: detail === undefined ? event.type : `${event.type}: ${detail}`,
  };
  if (cls !== OCSF_CLASS.base) ocsf.user = subject(base.userId);
  if (base.actorId) ocsf.actor = { user: { uid: base.actorId, type_id: 2, type: 'Admin' } };
  if (base.sessionId) ocsf.session = { uid: base.sessionId };
  if (base.ipHash) ocsf.src_endpoint = { uid: base.ipHash };
  if (cls === OCSF_CLASS.authentication) {
    // Authentication requires `service` or `dst_endpoint`: the service signed in to is us.
    ocsf.service = { name: product.name };
    const protocol = mapping.protocol?.(payload);
    ocsf.auth_protocol_id = protocol === undefined ? 0 : (OCSF_AUTH_PROTOCOL_IDS[protocol] ?? 99);
    ocsf.auth_protocol = protocol ?? 'Unknown';
    if (act === LOGON) ocsf.is_remote = true;
    if (mapping.isMfa) ocsf.is_mfa = mapping.isMfa(payload);
  }
  return { ...ocsf, ...mapping.extra?.(payload) };
}

/** The ids every payload may carry (the audit lib's `EventBase`, plus an acting admin). */
interface EventBaseFields {
  userId?: string;
  sessionId?: string;
  ipHash?: string;
  actorId?: string;
}

/**
 * The subject of an event. A refused sign-in for an address with no account (or an IP-wide
 * throttle) has no user id; OCSF requires `user` with a uid, name or account, so it is the
 * Unknown user rather than anything derived from what was typed.
 */
function subject(userId: string | undefined): OcsfUser {
  return userId
    ? { uid: userId, type_id: 1, type: 'User' }
    : { name: 'Unknown', type_id: 0, type: 'Unknown' };
}
