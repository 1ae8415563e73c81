/**
 * DNS rebinding: an attacker's receiver name answers a harmless address when it is checked,
 * then (with a TTL of zero) an internal one when the HTTP client connects. A sender that
 * checks the name and then lets its HTTP client resolve it again connects wherever the
 * second answer points, past the policy. The sender must connect to the address it checked
 * and never ask DNS a second time, while the Host header and TLS server name stay the URL's.
 *
 * Here the resolver's first answer is the receiver (127.0.0.1); every later answer is
 * 192.0.2.1 (TEST-NET-1, where nothing answers). A second lookup would send the request
 * there (or, with the system resolver, fail to resolve `receiver.test` at all).
 */
import { WebhookReceiver } from '@identity/testing';
import type { LookupAll, ResolvedAddress } from './target-policy';
import { WebhookSender } from './webhook-sender';
import { generateWebhookSecret, signWebhook } from './webhook-signature';

/** A resolver whose answer changes after the first question (TTL 0 rebinding). */
function rebindingDns(first: string, then: string): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (hostname: string): Promise<readonly ResolvedAddress[]> => {
    calls.push(hostname);
    const address = calls.length === 1 ? first : then;
    return Promise.resolve([{ address, family: 4 }]);
  };
  return Object.assign(lookup, { calls });
}

describe('WebhookSender pins the checked address', () => {
  const receiver = new WebhookReceiver();
  const secret = generateWebhookSecret();
  const body = '{"type":"webhook.test","timestamp":"2030-01-01T00:00:00.000Z","data":{}}';

  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  it('connects to the first answer even though DNS now answers elsewhere, asking once', async () => {
    const dns = rebindingDns('127.0.0.1', '192.0.2.1');
    const sender = new WebhookSender({ timeoutMs: 2_000, lookup: dns });
    const outcome = await sender.send({
      url: `http://receiver.test:${receiver.port}/hook`,
      body,
      headers: signWebhook({ id: 'msg_pin', timestamp: new Date(), body, secrets: [secret] }),
      allowPrivate: true,
    });
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(dns.calls).toEqual(['receiver.test']);
    const [req] = await receiver.waitFor(1);
    expect(req!.headers['host']).toBe(`receiver.test:${receiver.port}`);
    expect(req!.body).toBe(body);
  });

  it('checks again at each attempt: a name that now resolves inside is refused', async () => {
    // Registered while it pointed somewhere acceptable; by delivery time it points at loopback.
    const dns = rebindingDns('127.0.0.1', '127.0.0.1');
    const sender = new WebhookSender({ timeoutMs: 2_000, lookup: dns });
    const before = receiver.requests.length;
    const outcome = await sender.send({
      url: `http://receiver.test:${receiver.port}/hook`,
      body,
      headers: signWebhook({ id: 'msg_pin2', timestamp: new Date(), body, secrets: [secret] }),
      allowPrivate: false,
    });
    expect(outcome).toMatchObject({ ok: false, error: 'blocked_target' });
    expect(dns.calls).toEqual(['receiver.test']);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests).toHaveLength(before);
  });
});
