import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { freePort, WebhookReceiver } from '@identity/testing';
import type { LookupAll } from './target-policy';
import { WebhookSender, type WebhookSendRequest } from './webhook-sender';
import { generateWebhookSecret, signWebhook } from './webhook-signature';

const secret = generateWebhookSecret();
const body = JSON.stringify({
  type: 'user.password_changed',
  timestamp: new Date().toISOString(),
  data: { user_id: 'u-1', note: 'ünïcødé ✓' },
});

function attempt(url: string, allowPrivate = true): WebhookSendRequest {
  return {
    url,
    body,
    headers: signWebhook({ id: 'msg_sender_1', timestamp: new Date(), body, secrets: [secret] }),
    allowPrivate,
  };
}

/** Answers every name with 127.0.0.1 (the only address test servers may use). */
const toLoopback: LookupAll = () => Promise.resolve([{ address: '127.0.0.1', family: 4 }]);

describe('WebhookSender against a real receiver', () => {
  const receiver = new WebhookReceiver();
  const other = new WebhookReceiver();
  const sender = new WebhookSender({ timeoutMs: 1_000 });

  beforeAll(async () => {
    await receiver.start();
    await other.start();
  });
  afterAll(async () => {
    await receiver.stop();
    await other.stop();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    other.requests.length = 0;
    receiver.replyAlways({ status: 204 });
  });

  it('POSTs the exact signed body as JSON, and a 2xx is success', async () => {
    const outcome = await sender.send(attempt(receiver.url('/hook?tenant=7')));
    expect(outcome).toEqual({ ok: true, status: 204 });
    const [req] = await receiver.waitFor(1);
    expect(req!.method).toBe('POST');
    expect(req!.path).toBe('/hook?tenant=7');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['user-agent']).toBe('identity-webhooks/1');
    expect(req!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
    expect(req!.headers['host']).toBe(`127.0.0.1:${receiver.port}`);
    expect(req!.rawBody.equals(Buffer.from(body, 'utf8'))).toBe(true);
    // What arrived verifies with a stock Standard Webhooks receiver.
    const headers = {
      'webhook-id': String(req!.headers['webhook-id']),
      'webhook-timestamp': String(req!.headers['webhook-timestamp']),
      'webhook-signature': String(req!.headers['webhook-signature']),
    };
    expect(new Webhook(secret).verify(req!.body, headers)).toEqual(JSON.parse(body));
  });

  it.each([200, 201, 202, 299])('counts %i as success', async (status) => {
    receiver.replyNext({ status, body: 'ok' });
    await expect(sender.send(attempt(receiver.url()))).resolves.toEqual({ ok: true, status });
  });

  it.each([500, 503, 404, 410, 400, 429])('counts %i as a failed attempt', async (status) => {
    receiver.replyNext({ status, body: 'nope' });
    await expect(sender.send(attempt(receiver.url()))).resolves.toEqual({
      ok: false,
      error: 'status',
      status,
      message: `HTTP ${status}`,
    });
  });

  it('gives up on a receiver that does not answer in time', async () => {
    receiver.replyNext({ hang: true });
    const started = Date.now();
    const outcome = await new WebhookSender({ timeoutMs: 300 }).send(attempt(receiver.url()));
    const elapsed = Date.now() - started;
    expect(outcome).toEqual({ ok: false, error: 'timeout', message: 'no answer within 300 ms' });
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
    await receiver.waitFor(1); // it did arrive; only the answer never came
  });

  it.each([301, 302, 303, 307, 308] as const)(
    'does not follow a %i redirect: a failed attempt, and the target gets nothing',
    async (status) => {
      receiver.replyNext({ redirect: other.url('/elsewhere'), status });
      const outcome = await sender.send(attempt(receiver.url()));
      expect(outcome).toEqual({
        ok: false,
        error: 'status',
        status,
        message: `HTTP ${status} (redirects are not followed)`,
      });
      await receiver.waitFor(1);
      await new Promise((r) => setTimeout(r, 200));
      expect(other.requests).toHaveLength(0);
    },
  );

  it('refuses a private receiver while private targets are refused, sending nothing', async () => {
    const outcome = await sender.send(attempt(receiver.url('/hook?token=s3cr3t'), false));
    expect(outcome).toMatchObject({ ok: false, error: 'blocked_target' });
    expect(!outcome.ok && outcome.message).toMatch(/loopback/);
    expect(JSON.stringify(outcome)).not.toContain('s3cr3t');
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests).toHaveLength(0);
  });

  it('refuses a name that resolves to a private address, sending nothing', async () => {
    const pinned = new WebhookSender({ timeoutMs: 1_000, lookup: toLoopback });
    const outcome = await pinned.send(attempt(`http://hooks.example.com:${receiver.port}/`, false));
    expect(outcome).toMatchObject({ ok: false, error: 'blocked_target' });
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.requests).toHaveLength(0);
  });

  it('reports a refused connection by its code only', async () => {
    const port = await freePort();
    const outcome = await sender.send(attempt(`http://127.0.0.1:${port}/hook?token=s3cr3t`));
    expect(outcome).toEqual({
      ok: false,
      error: 'connection',
      message: 'connection failed (ECONNREFUSED)',
    });
  });

  it('reports a host that does not resolve, and a resolver that never answers', async () => {
    const nx = new WebhookSender({ lookup: () => Promise.reject(new Error('ENOTFOUND')) });
    await expect(nx.send(attempt('https://nx.example.com/'))).resolves.toMatchObject({
      ok: false,
      error: 'unresolvable',
    });
    const stuck = new WebhookSender({ timeoutMs: 200, lookup: () => new Promise(() => {}) });
    await expect(stuck.send(attempt('https://slow-dns.example.com/'))).resolves.toEqual({
      ok: false,
      error: 'timeout',
      message: 'no answer within 200 ms',
    });
  });

  it('refuses an invalid URL without trying', async () => {
    await expect(sender.send(attempt('ftp://example.com/x'))).resolves.toMatchObject({
      ok: false,
      error: 'invalid_url',
    });
  });

  it('stops reading a response body after a few KB (one that never ends is not waited for)', async () => {
    receiver.replyNext({ status: 200, body: 'x'.repeat(64 * 1024), keepOpen: true });
    const started = Date.now();
    const outcome = await new WebhookSender({ timeoutMs: 3_000 }).send(attempt(receiver.url()));
    expect(outcome).toEqual({ ok: true, status: 200 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('counts a 2xx whose short body never ends as success, at the deadline', async () => {
    receiver.replyNext({ status: 200, body: 'ok', keepOpen: true });
    const started = Date.now();
    const outcome = await new WebhookSender({ timeoutMs: 300 }).send(attempt(receiver.url()));
    expect(outcome).toEqual({ ok: true, status: 200 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});

describe('WebhookSender over https', () => {
  let dir: string;
  let cert: Buffer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        'key.pem',
        '-out',
        'cert.pem',
        '-days',
        '1',
        '-subj',
        '/CN=receiver.test',
        '-addext',
        'subjectAltName=DNS:receiver.test',
      ],
      { cwd: dir, stdio: 'pipe' },
    );
    cert = readFileSync(join(dir, 'cert.pem'));
    receiver = new WebhookReceiver({ tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
    await receiver.start();
  });
  afterAll(async () => {
    await receiver.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects to the checked address while SNI, certificate name and Host stay the URL host', async () => {
    const sender = new WebhookSender({ timeoutMs: 2_000, lookup: toLoopback, ca: cert });
    const outcome = await sender.send(attempt(`https://receiver.test:${receiver.port}/hook`));
    expect(outcome).toEqual({ ok: true, status: 204 });
    const [req] = await receiver.waitFor(1);
    expect(req!.servername).toBe('receiver.test');
    expect(req!.headers['host']).toBe(`receiver.test:${receiver.port}`);
  });

  it('fails the attempt on a certificate it does not trust', async () => {
    const sender = new WebhookSender({ timeoutMs: 2_000, lookup: toLoopback });
    const outcome = await sender.send(attempt(`https://receiver.test:${receiver.port}/hook`));
    expect(outcome).toMatchObject({ ok: false, error: 'tls' });
  });

  it('fails the attempt when the certificate names another host', async () => {
    const sender = new WebhookSender({ timeoutMs: 2_000, lookup: toLoopback, ca: cert });
    const outcome = await sender.send(attempt(`https://other.test:${receiver.port}/hook`));
    expect(outcome).toMatchObject({ ok: false, error: 'tls' });
  });
});
