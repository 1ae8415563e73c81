import { WebhookReceiver } from './webhook-receiver';

/** The stand-in receiver itself: other suites' verdicts are only as good as it is. */
describe('WebhookReceiver', () => {
  const receiver = new WebhookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());

  const post = (body: string) =>
    fetch(receiver.url('/in?x=1'), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_r' },
      redirect: 'manual',
    });

  it('listens on 127.0.0.1 and records method, path, headers, raw body and arrival time', async () => {
    expect(receiver.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const before = Date.now();
    const res = await post('{"a":"ü"}');
    expect(res.status).toBe(204);
    const [req] = await receiver.waitFor(1);
    expect(req).toMatchObject({ method: 'POST', path: '/in?x=1', body: '{"a":"ü"}' });
    expect(req!.rawBody.equals(Buffer.from('{"a":"ü"}'))).toBe(true);
    expect(req!.headers['webhook-id']).toBe('msg_r');
    expect(req!.receivedAt.getTime()).toBeGreaterThanOrEqual(before - 5);
  });

  it('answers queued replies one per request, then the standing one', async () => {
    receiver
      .replyAlways({ status: 503 })
      .replyNext({ status: 500 }, { redirect: 'http://x.test/' });
    expect((await post('1')).status).toBe(500);
    const redirect = await post('2');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('http://x.test/');
    expect((await post('3')).status).toBe(503);
    expect((await post('4')).status).toBe(503);
    receiver.replyAlways({ status: 204 });
  });

  it('hangs when told to, and stop() cuts the hanging connection', async () => {
    const hanging = new WebhookReceiver().replyAlways({ hang: true });
    await hanging.start();
    const pending = fetch(hanging.url(), { method: 'POST', body: 'x' }).then(
      () => 'answered',
      () => 'cut',
    );
    await hanging.waitFor(1);
    const raced = await Promise.race([
      pending,
      new Promise((r) => setTimeout(() => r('still waiting'), 200)),
    ]);
    expect(raced).toBe('still waiting');
    await hanging.stop();
    await expect(pending).resolves.toBe('cut');
  });

  it('waitFor rejects when too few requests arrive in time', async () => {
    const count = receiver.requests.length;
    await expect(receiver.waitFor(count + 1, 50)).rejects.toThrow(/expected/);
  });
});
