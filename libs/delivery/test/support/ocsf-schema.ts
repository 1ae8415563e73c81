/**
 * What the OCSF schema requires of the events webhooks send, as a check that lists every
 * violation (empty: the event is valid). A SIEM ingesting OCSF validates events against the
 * schema and drops (or mis-files) those missing a required attribute.
 *
 * The lists below are copied from the OCSF schema repository (github.com/ocsf/ocsf-schema),
 * tag 1.4.0, the version in `metadata.version`; they are unchanged in 1.8.0 except that
 * 1.0–1.3 also required `metadata.product.vendor_name`, which is checked too:
 * - events/base_event.json, "requirement": "required": activity_id, category_uid,
 *   class_uid, metadata, severity_id, time, type_uid (types from dictionary.json:
 *   integer_t, integer_t, integer_t, metadata, integer_t, timestamp_t, long_t);
 * - objects/metadata.json: product (object), version (string_t);
 * - events/iam/authentication.json (uid 2 in category iam = 3): user (required), and
 *   "constraints": { "at_least_one": ["service", "dst_endpoint"] };
 * - events/iam/account_change.json (uid 1 = 3001): user (required);
 * - objects/user.json: "constraints": { "at_least_one": ["account", "name", "uid"] };
 * - objects/network_endpoint.json (src_endpoint): at_least_one of ip, uid, name, hostname, ...;
 * - enums: activity_id of each class (plus 0 Unknown and 99 Other from base_event.json),
 *   severity_id 0–6 and 99, status_id 0, 1, 2, 99 (dictionary.json).
 */
export type AttrType = 'integer' | 'long' | 'timestamp' | 'string' | 'object' | 'boolean';

export const BASE_EVENT_REQUIRED: Record<string, AttrType> = {
  activity_id: 'integer',
  category_uid: 'integer',
  class_uid: 'integer',
  metadata: 'object',
  severity_id: 'integer',
  time: 'timestamp',
  type_uid: 'long',
};
const METADATA_REQUIRED: Record<string, AttrType> = { product: 'object', version: 'string' };
const PRODUCT_REQUIRED_BEFORE_1_4: Record<string, AttrType> = { vendor_name: 'string' };

export interface OcsfClassSpec {
  uid: number;
  categoryUid: number;
  required: Record<string, AttrType>;
  atLeastOne: string[][];
  activityIds: number[];
}

/** The IAM classes webhooks send, by name. */
export const OCSF_CLASSES: Record<'authentication' | 'accountChange', OcsfClassSpec> = {
  authentication: {
    uid: 3002,
    categoryUid: 3,
    required: { ...BASE_EVENT_REQUIRED, user: 'object' },
    atLeastOne: [['service', 'dst_endpoint']],
    activityIds: [0, 1, 2, 3, 4, 5, 6, 7, 99],
  },
  accountChange: {
    uid: 3001,
    categoryUid: 3,
    required: { ...BASE_EVENT_REQUIRED, user: 'object' },
    atLeastOne: [],
    activityIds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 99],
  },
};
/** The Base Event (class 0, `webhook.test`): only what every event requires. */
const BASE_CLASS: OcsfClassSpec = {
  uid: 0,
  categoryUid: 0,
  required: BASE_EVENT_REQUIRED,
  atLeastOne: [],
  activityIds: [0, 99],
};
const USER_AT_LEAST_ONE = ['account', 'name', 'uid'];
const ENDPOINT_AT_LEAST_ONE = ['ip', 'uid', 'name', 'hostname', 'svc_name', 'instance_uid'];
const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99];
const STATUS_IDS = [0, 1, 2, 99];

export function hasType(value: unknown, type: AttrType): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value) && Math.abs(value as number) < 2 ** 31;
    case 'long':
      return Number.isSafeInteger(value);
    case 'timestamp':
      // Milliseconds since the epoch: an integer, and not mistakenly seconds.
      return Number.isSafeInteger(value) && (value as number) > 1e12;
    case 'string':
      return typeof value === 'string' && value.length > 0;
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

type Obj = Record<string, unknown>;

/**
 * Every way `event` breaks the schema of its class (found by its `class_uid`: 3002, 3001 or
 * the Base Event 0), as short sentences; empty when it is valid.
 */
export function ocsfViolations(event: Obj): string[] {
  const out: string[] = [];
  const spec = [...Object.values(OCSF_CLASSES), BASE_CLASS].find((c) => c.uid === event.class_uid);
  if (!spec) return [`unexpected class_uid ${String(event.class_uid)}`];
  const required = (obj: Obj, attrs: Record<string, AttrType>, where: string) => {
    for (const [name, type] of Object.entries(attrs)) {
      if (!hasType(obj[name], type)) out.push(`${where}${name} is not a ${type}`);
    }
  };
  const atLeastOne = (obj: Obj | undefined, names: string[], where: string) => {
    if (!obj || !names.some((n) => obj[n] !== undefined)) {
      out.push(`${where} has none of ${names.join(', ')}`);
    }
  };
  required(event, spec.required, '');
  for (const group of spec.atLeastOne) atLeastOne(event, group, 'event');
  const metadata = event.metadata as Obj | undefined;
  if (metadata) {
    required(metadata, METADATA_REQUIRED, 'metadata.');
    if (!/^1\.\d+\.\d+$/.test(String(metadata.version))) out.push('metadata.version is not 1.x');
    required((metadata.product as Obj | undefined) ?? {}, PRODUCT_REQUIRED_BEFORE_1_4, 'product.');
  }
  if (spec.required.user) atLeastOne(event.user as Obj | undefined, USER_AT_LEAST_ONE, 'user');
  if (event.actor) atLeastOne((event.actor as { user?: Obj }).user, USER_AT_LEAST_ONE, 'actor');
  if (event.src_endpoint) {
    atLeastOne(event.src_endpoint as Obj, ENDPOINT_AT_LEAST_ONE, 'src_endpoint');
  }
  if (event.category_uid !== spec.categoryUid) out.push('category_uid does not match the class');
  if (!spec.activityIds.includes(event.activity_id as number)) out.push('unknown activity_id');
  if (event.type_uid !== spec.uid * 100 + (event.activity_id as number)) {
    out.push('type_uid is not class_uid × 100 + activity_id');
  }
  if (!SEVERITY_IDS.includes(event.severity_id as number)) out.push('unknown severity_id');
  if (event.status_id !== undefined && !STATUS_IDS.includes(event.status_id as number)) {
    out.push('unknown status_id');
  }
  if (typeof event.activity_name !== 'string') out.push('activity_name missing');
  return out;
}
