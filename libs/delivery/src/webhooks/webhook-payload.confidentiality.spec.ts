/**
 * Webhook bodies leave the platform for third-party systems (a SIEM, a SOC's log pipeline,
 * their storage and their operators). A body that carried a token, password, secret, email
 * or client IP would leak credentials or personal data to every receiver, and a domain event
 * that gains such a field tomorrow must not start leaking it silently. Each body is built
 * here from payloads stuffed with such fields (the shape a careless emitter could produce),
 * in both formats, and must contain none of their values: only ids and the keyed IP hash.
 */
import { buildWebhookBody, WEBHOOK_FORMATS } from './webhook-payload';
import type { AnyWebhookEvent } from './webhook-events';
import { sampleWebhookEvents } from '../../test/support/webhook-samples';

const product = { name: 'Identity', vendorName: 'Example Corp', version: '0.1.0' };

const SECRETS = {
  email: 'victim.person@example.com',
  newEmail: 'attacker@evil.example',
  password: 'Correct-Horse-Battery-Staple-1',
  token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
  refreshToken: 'rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  accessToken: 'at_0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  totpSecret: 'JBSWY3DPEHPK3PXP',
  code: '123456',
  ip: '203.0.113.77',
  ipv6: '2001:db8:85a3::8a2e:370:7334',
  userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Secret-Browser/1.0',
  name: 'Ada Lovelace-Byron',
};
/** Objects and strings in fields the allowlist does carry must not smuggle values either. */
const POISON = {
  ...SECRETS,
  client: { ip: SECRETS.ip, userAgent: SECRETS.userAgent },
  metadata: { email: SECRETS.email },
  headers: { authorization: `Bearer ${SECRETS.token}` },
};

function poisoned(event: AnyWebhookEvent): AnyWebhookEvent {
  return { ...event, payload: { ...POISON, ...event.payload } } as AnyWebhookEvent;
}

describe.each(WEBHOOK_FORMATS)('a %s webhook body', (format) => {
  // Types the format does not carry at all (OCSF: key.rotated) have no body to check.
  const events = sampleWebhookEvents()
    .map(poisoned)
    .filter((e) => buildWebhookBody(e, format, { product }) !== null);

  it.each(events.map((e) => [e.type, e] as const))(
    '%s carries no token, password, secret, email, name or IP',
    (_type, event) => {
      const body = buildWebhookBody(event, format, { product })!;
      for (const [field, value] of Object.entries(SECRETS)) {
        expect({ field, leaked: body.includes(value) }).toEqual({ field, leaked: false });
      }
      expect(body).not.toMatch(/@/);
      expect(body).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b/);
      expect(body).not.toMatch(/Bearer/i);
    },
  );

  it('still names the user and the keyed IP hash (what a SOC correlates on)', () => {
    const event = poisoned({
      type: 'auth.login.failed',
      payload: { reason: 'invalid_credentials', userId: 'u-42', ipHash: 'e'.repeat(64) },
      at: new Date(),
    });
    const body = buildWebhookBody(event, format, { product })!;
    expect(body).toContain('u-42');
    expect(body).toContain('e'.repeat(64));
  });
});
