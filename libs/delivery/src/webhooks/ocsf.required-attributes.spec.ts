/**
 * A SIEM ingesting OCSF validates events against the schema and drops (or mis-files) those
 * missing a required attribute. Every event type mapped to Authentication (3002) or Account
 * Change (3001) must therefore carry each attribute the schema marks required, with the
 * schema's type, in every shape the domain emits it (with or without user, session, IP).
 * What the schema requires, and where it was copied from: test/support/ocsf-schema.ts.
 */
import { ocsfClassOf, buildOcsfEvent, OCSF_NOT_SENT, OCSF_SCHEMA_VERSION } from './ocsf';
import { WEBHOOK_EVENT_TYPES, type AnyWebhookEvent } from './webhook-events';
import { sampleWebhookEvents } from '../../test/support/webhook-samples';
import {
  BASE_EVENT_REQUIRED,
  hasType,
  OCSF_CLASSES,
  ocsfViolations,
  type AttrType,
} from '../../test/support/ocsf-schema';

const product = { name: 'Identity', vendorName: 'Example Corp', version: '0.1.0' };

function expectRequired(obj: Record<string, unknown>, required: Record<string, AttrType>): void {
  for (const [name, type] of Object.entries(required)) {
    expect({ name, ok: hasType(obj[name], type) }).toEqual({ name, ok: true });
  }
}

function eventsOfClass(uid: number): AnyWebhookEvent[] {
  return sampleWebhookEvents().filter((e) => ocsfClassOf(e.type)?.uid === uid);
}

describe.each(Object.entries(OCSF_CLASSES))(
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
      expect(ocsfViolations(ocsf)).toEqual([]);
      expect((ocsf.metadata as { version: string }).version).toBe(OCSF_SCHEMA_VERSION);
      expect(ocsf.class_uid).toBe(spec.uid);
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
    expect(ocsfViolations(ocsf)).toEqual([]);
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

describe('the required-attribute check itself', () => {
  it('finds a missing user, a wrong type, a wrong type_uid and a missing service', () => {
    const [login] = sampleWebhookEvents().filter((e) => e.type === 'auth.login.failed');
    const valid = buildOcsfEvent(login!, product) as unknown as Record<string, unknown>;
    expect(ocsfViolations(valid)).toEqual([]);
    const { user: _user, service: _service, ...broken } = valid;
    expect(ocsfViolations({ ...broken, time: Math.floor(Date.now() / 1000), type_uid: 1 })).toEqual(
      expect.arrayContaining([
        'time is not a timestamp',
        'user is not a object',
        'event has none of service, dst_endpoint',
        'type_uid is not class_uid × 100 + activity_id',
      ]),
    );
  });
});
