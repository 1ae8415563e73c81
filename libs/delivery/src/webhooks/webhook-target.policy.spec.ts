import { checkWebhookTarget, isNonPublicAddress } from './webhook-target.policy';

describe('webhook target policy', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.20.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd00::1',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:10.0.0.1',
    '::ffff:7f00:1',
    'not-an-ip',
  ])('treats %s as non-public', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:8.8.8.8'])(
    'treats %s as public',
    (address) => {
      expect(isNonPublicAddress(address)).toBe(false);
    },
  );

  it('refuses what is not an absolute http(s) URL without credentials or fragment', async () => {
    for (const url of [
      'not a url',
      'ftp://example.com/x',
      'https://user:pass@example.com/x',
      'https://example.com/x#frag',
      'javascript:alert(1)',
    ]) {
      await expect(checkWebhookTarget(url, true)).rejects.toMatchObject({
        code: 'webhook.invalid_url',
      });
    }
  });

  it('refuses private IP literals only while private targets are refused', async () => {
    for (const url of [
      'http://127.0.0.1:9/hook',
      'https://[::1]/hook',
      'http://10.0.0.7/h',
      'http://[::ffff:127.0.0.1]/h',
    ]) {
      await expect(checkWebhookTarget(url, false)).rejects.toMatchObject({
        code: 'webhook.private_target',
      });
      await expect(checkWebhookTarget(url, true)).resolves.toBe(new URL(url).toString());
    }
    await expect(checkWebhookTarget('https://93.184.216.34/hook', false)).resolves.toBe(
      'https://93.184.216.34/hook',
    );
  });

  it('refuses a name that resolves to loopback, or does not resolve', async () => {
    await expect(checkWebhookTarget('http://localhost:8080/h', false)).rejects.toMatchObject({
      code: 'webhook.private_target',
    });
    await expect(checkWebhookTarget('https://no-such-host.invalid/h', false)).rejects.toMatchObject(
      { code: 'webhook.private_target' },
    );
  });
});
