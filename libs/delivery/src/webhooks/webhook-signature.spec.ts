/**
 * Receivers trust a webhook only if its Standard Webhooks signature verifies: a forged or
 * altered delivery (body, id or timestamp changed in transit, or replayed later) must fail
 * verification in a stock receiver, and a genuine one must pass with either secret during a
 * rotation. The receiver here is the `standardwebhooks` package's own `Webhook.verify`, and
 * the signature is also recomputed independently with node:crypto.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  generateWebhookSecret,
  isValidWebhookSecret,
  signWebhook,
  WebhookSignatureError,
} from './webhook-signature';

const secretA = generateWebhookSecret();
const secretB = `whsec_${randomBytes(24).toString('base64')}`;
const body = JSON.stringify({
  type: 'auth.login.succeeded',
  timestamp: '2030-01-02T03:04:05.678Z',
  data: { user_id: 'u-1', note: 'ünïcødé ✓ — "quoted"' },
});

function hmacOf(secret: string, content: string): string {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  return createHmac('sha256', key).update(content, 'utf8').digest('base64');
}

describe('signWebhook', () => {
  it('produces the three Standard Webhooks headers, the timestamp in unix seconds', () => {
    const at = new Date('2030-01-02T03:04:05.999Z');
    const headers = signWebhook({ id: 'msg_1', timestamp: at, body, secrets: [secretA] });
    expect(Object.keys(headers).sort()).toEqual([
      'webhook-id',
      'webhook-signature',
      'webhook-timestamp',
    ]);
    expect(headers['webhook-id']).toBe('msg_1');
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it('signs exactly "id.timestamp.body" (UTF-8) with HMAC-SHA256 of the decoded secret', () => {
    const at = new Date('2030-01-02T03:04:05.999Z');
    const headers = signWebhook({ id: 'msg_2', timestamp: at, body, secrets: [secretA] });
    const expected = hmacOf(secretA, `msg_2.${headers['webhook-timestamp']}.${body}`);
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('space-separates one signature per secret during a rotation, in the given order', () => {
    const at = new Date('2030-01-02T03:04:05Z');
    const headers = signWebhook({ id: 'msg_3', timestamp: at, body, secrets: [secretA, secretB] });
    const content = `msg_3.${headers['webhook-timestamp']}.${body}`;
    expect(headers['webhook-signature']).toBe(
      `v1,${hmacOf(secretA, content)} v1,${hmacOf(secretB, content)}`,
    );
  });

  describe('as a receiver using standardwebhooks verifies it', () => {
    const now = () => new Date();

    it('accepts a single-secret delivery and returns the body it signed', () => {
      const headers = signWebhook({ id: 'msg_4', timestamp: now(), body, secrets: [secretA] });
      expect(new Webhook(secretA).verify(body, headers)).toEqual(JSON.parse(body));
    });

    it('accepts a rotation delivery with the new secret and with the old one', () => {
      const headers = signWebhook({
        id: 'msg_5',
        timestamp: now(),
        body,
        secrets: [secretB, secretA],
      });
      expect(new Webhook(secretA).verify(body, headers)).toEqual(JSON.parse(body));
      expect(new Webhook(secretB).verify(body, headers)).toEqual(JSON.parse(body));
    });

    it('refuses a receiver holding a secret that did not sign', () => {
      const headers = signWebhook({ id: 'msg_6', timestamp: now(), body, secrets: [secretA] });
      expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow(
        WebhookVerificationError,
      );
    });

    it('rejects a body changed by one character', () => {
      const headers = signWebhook({ id: 'msg_7', timestamp: now(), body, secrets: [secretA] });
      const tampered = body.replace('u-1', 'u-2');
      expect(tampered).not.toBe(body);
      expect(() => new Webhook(secretA).verify(tampered, headers)).toThrow(
        'No matching signature found',
      );
    });

    it('rejects a timestamp moved by one second (replay with a fresh date)', () => {
      const headers = signWebhook({ id: 'msg_8', timestamp: now(), body, secrets: [secretA] });
      const moved = {
        ...headers,
        'webhook-timestamp': String(Number(headers['webhook-timestamp']) - 1),
      };
      expect(() => new Webhook(secretA).verify(body, moved)).toThrow('No matching signature found');
    });

    it('rejects a changed id (deduplication cannot be dodged)', () => {
      const headers = signWebhook({ id: 'msg_9', timestamp: now(), body, secrets: [secretA] });
      expect(() =>
        new Webhook(secretA).verify(body, { ...headers, 'webhook-id': 'msg_10' }),
      ).toThrow('No matching signature found');
    });

    it('rejects a genuine signature whose timestamp is older than the receiver tolerates', () => {
      const old = new Date(Date.now() - 10 * 60_000);
      const headers = signWebhook({ id: 'msg_11', timestamp: old, body, secrets: [secretA] });
      expect(() => new Webhook(secretA).verify(body, headers)).toThrow('Message timestamp too old');
    });
  });

  it('refuses ids that would make the signed content ambiguous or break the header', () => {
    for (const id of ['', 'a.1', 'has space', 'line\nbreak', 'x'.repeat(129)]) {
      expect(() => signWebhook({ id, timestamp: new Date(), body, secrets: [secretA] })).toThrow(
        WebhookSignatureError,
      );
    }
  });

  it('refuses an invalid date, no secret and three secrets', () => {
    expect(() =>
      signWebhook({ id: 'm', timestamp: new Date(Number.NaN), body, secrets: [secretA] }),
    ).toThrow(WebhookSignatureError);
    expect(() =>
      signWebhook({ id: 'm', timestamp: new Date(), body, secrets: [] as unknown as [string] }),
    ).toThrow(WebhookSignatureError);
    expect(() =>
      signWebhook({
        id: 'm',
        timestamp: new Date(),
        body,
        secrets: [secretA, secretB, secretA] as unknown as [string],
      }),
    ).toThrow(WebhookSignatureError);
  });

  it('refuses malformed secrets without echoing them in the error', () => {
    const bad = [
      randomBytes(32).toString('base64'), // no prefix
      `whsec_${randomBytes(16).toString('base64')}`, // too short
      `whsec_${randomBytes(65).toString('base64')}`, // too long
      `whsec_${randomBytes(32).toString('base64url')}!`, // not base64
    ];
    for (const secret of bad) {
      let error: unknown;
      try {
        signWebhook({ id: 'm', timestamp: new Date(), body, secrets: [secret] });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(WebhookSignatureError);
      expect((error as Error).message).not.toContain(secret.slice(6, 20));
    }
  });
});

describe('webhook secrets', () => {
  it('generates whsec_ + base64 of 32 random bytes, each different', () => {
    const a = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(a);
    expect(isValidWebhookSecret(a)).toBe(true);
  });

  it('accepts 24 to 64 bytes in canonical base64 only', () => {
    expect(isValidWebhookSecret(`whsec_${randomBytes(24).toString('base64')}`)).toBe(true);
    expect(isValidWebhookSecret(`whsec_${randomBytes(64).toString('base64')}`)).toBe(true);
    expect(isValidWebhookSecret(`whsec_${randomBytes(23).toString('base64')}`)).toBe(false);
    // Padding dropped: Buffer would decode it, a strict receiver-side decoder would not.
    expect(isValidWebhookSecret(`whsec_${randomBytes(32).toString('base64').slice(0, -1)}`)).toBe(
      false,
    );
    expect(isValidWebhookSecret('whsec_')).toBe(false);
    expect(isValidWebhookSecret('')).toBe(false);
  });
});
