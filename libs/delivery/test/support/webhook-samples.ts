import { randomUUID } from 'node:crypto';
// Relative imports: this support file sits outside the lib's src (tests only).
import type {
  AnyWebhookEvent,
  WebhookEventMap,
  WebhookEventType,
} from '../../src/webhooks/webhook-events';

const user = randomUUID();
const admin = randomUUID();
const session = randomUUID();
const other = randomUUID();
/** The shape of the keyed IP hash the domain emits (hex of an HMAC). */
const ipHash = 'a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

/**
 * Realistic payloads of every webhook event type, in each shape the domain emits it (with and
 * without the optional ids). The mapped type makes a new event type without samples a
 * compile error, so the per-type suites cannot silently skip it.
 */
export const WEBHOOK_EVENT_SAMPLES: { [K in WebhookEventType]: WebhookEventMap[K][] } = {
  'auth.login.succeeded': [
    { userId: user, sessionId: session, amr: ['pwd'], method: 'password', ipHash },
    { userId: user, sessionId: session, amr: ['pwd', 'otp'], method: 'password', ipHash },
    { userId: user, sessionId: session, amr: ['pwd', 'rec'], method: 'password' },
    { userId: user, sessionId: session, amr: ['fed'], method: 'federated', ipHash },
  ],
  'auth.login.failed': [
    { reason: 'invalid_credentials', ipHash },
    { reason: 'invalid_credentials', userId: user, ipHash },
    { reason: 'account_locked', userId: user, ipHash },
    { reason: 'email_not_verified', userId: user },
    { reason: 'mfa_invalid', userId: user, ipHash },
  ],
  'auth.login.throttled': [
    { scope: 'ip', ipHash },
    { scope: 'email', userId: user, ipHash },
    { scope: 'email_ip', ipHash },
  ],
  'auth.mfa.failed': [{ userId: user, ipHash }],
  'auth.refresh.reused': [{ userId: user, sessionId: session, ipHash }],
  'session.revoked': [
    { userId: user, sessionId: session, scope: 'session', reason: 'logout', sessionIds: [session] },
    {
      userId: user,
      ipHash,
      scope: 'user',
      reason: 'password_changed',
      sessionIds: [other, session],
      keptSessionId: randomUUID(),
    },
  ],
  'user.registered': [
    { userId: user, via: 'password', ipHash },
    { userId: user, via: 'oidc' },
  ],
  'user.locked': [{ userId: user, actorId: admin }],
  'user.unlocked': [{ userId: user, actorId: admin }],
  'user.roles_changed': [
    { userId: user, roles: ['admin', 'user'], actorId: admin },
    { userId: user, roles: [], ipHash },
  ],
  'user.password_changed': [{ userId: user, ipHash }],
  'user.password_reset': [{ userId: user, ipHash }, { userId: user }],
  'mfa.enabled': [{ userId: user }],
  'mfa.disabled': [{ userId: user, ipHash }],
  'identity.linked': [{ userId: user, provider: 'github', ipHash }],
  'identity.unlinked': [{ userId: user, provider: 'google' }],
  'user.email_changed': [{ userId: user, ipHash }],
  'user.deleted': [{ userId: user, actorId: admin }, { userId: user }],
  'key.rotated': [
    { kid: 'k-2', previousKid: 'k-1', reason: 'scheduled' },
    { kid: 'k-1', reason: 'initial' },
  ],
  'webhook.test': [{ webhookId: randomUUID() }],
};

/** Every sample as an event, with a fixed occurrence time. */
export function sampleWebhookEvents(at = new Date('2030-05-06T07:08:09.123Z')): AnyWebhookEvent[] {
  return (Object.keys(WEBHOOK_EVENT_SAMPLES) as WebhookEventType[]).flatMap((type) =>
    WEBHOOK_EVENT_SAMPLES[type].map((payload) => ({ type, payload, at }) as AnyWebhookEvent),
  );
}
