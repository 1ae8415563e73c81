/**
 * A SIEM ingesting OCSF validates events against the schema and drops (or mis-files) those
 * missing a required attribute. Every event type mapped to Authentication (3002) or Account
 * Change (3001) must therefore carry each attribute the schema marks required, with the
 * schema's type, in every shape the domain emits it (with or without user, session, IP).
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
import { ocsfClassOf, buildOcsfEvent, OCSF_NOT_SENT, OCSF_SCHEMA_VERSION } from './ocsf';
import { WEBHOOK_EVENT_TYPES, type AnyWebhookEvent } from './webhook-events';
import { sampleWebhookEvents } from '../../test/support/webhook-samples';

type AttrType = 'integer' | 'long' | 'timestamp' | 'string' | 'object' | 'boolean';

const BASE_EVENT_REQUIRED: Record<string, AttrType> = {
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

interface ClassSpec {
  uid: number;
  categoryUid: number;
  required: Record<string, AttrType>;
  atLeastOne: string[][];
  activityIds: number[];
}
const CLASSES: Record<'authentication' | 'accountChange', ClassSpec> = {
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
const USER_AT_LEAST_ONE = ['account', 'name', 'uid'];
const ENDPOINT_AT_LEAST_ONE = ['ip', 'uid', 'name', 'hostname', 'svc_name', 'instance_uid'];
const SEVERITY_IDS = [0, 1, 2, 3, 4, 5, 6, 99];
const STATUS_IDS = [0, 1, 2, 99];

const product = { name: 'Identity', vendorName: 'Example Corp', version: '0.1.0' };

function hasType(value: unknown, type: AttrType): boolean {
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

function expectRequired(obj: Record<string, unknown>, required: Record<string, AttrType>): void {
  for (const [name, type] of Object.entries(required)) {
    expect({ name, ok: hasType(obj[name], type) }).toEqual({ name, ok: true });
  }
}

function expectAtLeastOne(obj: Record<string, unknown>, names: string[]): void {
  expect({ oneOf: names, present: names.some((n) => obj[n] !== undefined) }).toEqual({
    oneOf: names,
    present: true,
  });
}

function eventsOfClass(uid: number): AnyWebhookEvent[] {
  return sampleWebhookEvents().filter((e) => ocsfClassOf(e.type)?.uid === uid);
}

describe.each(Object.entries(CLASSES))(
  'OCSF %s events carry every required attribute',
  (_, spec) => {
    const events = eventsOfClass(spec.uid);

    it('has event types mapped to it', () => {
      expect(events.length).toBeGreaterThan(0);
    });

    it.each(events.map((e) => [e.type, e] as const))('%s', (_type, event) => {
      const ocsf = buildOcsfEvent(event, product) as unknown as Record<string, unknown>;
      expect(ocsf).not.toBeNull();
      expectRequired(ocsf, spec.required);
      for (const group of spec.atLeastOne) expectAtLeastOne(ocsf, group);

      const metadata = ocsf.metadata as Record<string, unknown>;
      expectRequired(metadata, METADATA_REQUIRED);
      expect(metadata.version).toBe(OCSF_SCHEMA_VERSION);
      expect(metadata.version).toMatch(/^1\.\d+\.\d+$/);
      expectRequired(metadata.product as Record<string, unknown>, PRODUCT_REQUIRED_BEFORE_1_4);

      expectAtLeastOne(ocsf.user as Record<string, unknown>, USER_AT_LEAST_ONE);
      if (ocsf.actor)
        expectAtLeastOne((ocsf.actor as { user: Record<string, unknown> }).user, USER_AT_LEAST_ONE);
      if (ocsf.src_endpoint) {
        expectAtLeastOne(ocsf.src_endpoint as Record<string, unknown>, ENDPOINT_AT_LEAST_ONE);
      }

      expect(ocsf.class_uid).toBe(spec.uid);
      expect(ocsf.category_uid).toBe(spec.categoryUid);
      expect(spec.activityIds).toContain(ocsf.activity_id);
      expect(ocsf.type_uid).toBe(spec.uid * 100 + (ocsf.activity_id as number));
      expect(SEVERITY_IDS).toContain(ocsf.severity_id);
      expect(STATUS_IDS).toContain(ocsf.status_id);
      expect(ocsf.time).toBe(event.at.getTime());
      // Says what it is, which "99 Other" relies on (base_event.json: see activity_name).
      expect(ocsf.activity_name).toEqual(expect.any(String));
    });
  },
);

describe('OCSF coverage of the contract', () => {
  it('sends sign-in, sign-out and MFA steps as Authentication (3002)', () => {
    for (const type of [
      'auth.login.succeeded',
      'auth.login.failed',
      'auth.login.throttled',
      'auth.mfa.failed',
      'auth.refresh.reused',
      'session.revoked',
    ] as const) {
      expect({ type, cls: ocsfClassOf(type)?.uid }).toEqual({ type, cls: 3002 });
    }
  });

  it('sends password, MFA enrolment, lock and role changes as Account Change (3001)', () => {
    for (const type of [
      'user.registered',
      'user.password_changed',
      'user.password_reset',
      'mfa.enabled',
      'mfa.disabled',
      'user.locked',
      'user.unlocked',
      'user.roles_changed',
      'user.email_changed',
      'identity.linked',
      'identity.unlinked',
      'user.deleted',
    ] as const) {
      expect({ type, cls: ocsfClassOf(type)?.uid }).toEqual({ type, cls: 3001 });
    }
  });

  it('sends webhook.test as a valid Base Event (class 0), and nothing for key.rotated', () => {
    const [test] = sampleWebhookEvents().filter((e) => e.type === 'webhook.test');
    const ocsf = buildOcsfEvent(test!, product) as unknown as Record<string, unknown>;
    expectRequired(ocsf, BASE_EVENT_REQUIRED);
    expect(ocsf).toMatchObject({ class_uid: 0, category_uid: 0, activity_id: 99, type_uid: 99 });

    expect(OCSF_NOT_SENT).toEqual(['key.rotated']);
    for (const event of sampleWebhookEvents().filter((e) => e.type === 'key.rotated')) {
      expect(buildOcsfEvent(event, product)).toBeNull();
    }
  });

  it('decides every contract type one way or the other', () => {
    for (const type of WEBHOOK_EVENT_TYPES) {
      expect(ocsfClassOf(type) !== null || OCSF_NOT_SENT.includes(type)).toBe(true);
    }
  });
});
