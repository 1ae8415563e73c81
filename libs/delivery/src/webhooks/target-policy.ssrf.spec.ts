/**
 * Server-side request forgery: whoever registers a webhook chooses where this server sends
 * requests. Pointed at loopback, a private network, a cloud metadata endpoint
 * (169.254.169.254) or any other internal address, a webhook becomes a probe of the inside
 * of the network, from the inside. Attackers dress internal addresses up: decimal or hex
 * IPv4 literals, IPv6 forms that carry an IPv4 address (mapped ::ffff:a.b.c.d, NAT64
 * 64:ff9b::/96, 6to4 2002::/16), or a DNS name that resolves to one (possibly next to a
 * public one). While private targets are refused, every one of these must be refused, and
 * public addresses must still pass.
 */
import {
  blockedRangeOf,
  checkTargetUrl,
  isBlockedAddress,
  resolveTarget,
  WebhookTargetError,
  type LookupAll,
  type ResolvedAddress,
} from './target-policy';

/** A resolver that answers from a table, and counts how often it was asked. */
function fakeDns(table: Record<string, readonly string[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (hostname: string): Promise<readonly ResolvedAddress[]> => {
    calls.push(hostname);
    const answers = table[hostname];
    if (!answers) return Promise.reject(Object.assign(new Error('nx'), { code: 'ENOTFOUND' }));
    return Promise.resolve(
      answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }) as const),
    );
  };
  return Object.assign(lookup, { calls });
}

async function refusal(promise: Promise<unknown>): Promise<WebhookTargetError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WebhookTargetError) return err;
    throw err;
  }
  throw new Error('expected a WebhookTargetError');
}

describe('checkTargetUrl', () => {
  it.each([
    'https://hooks.example.com/identity',
    'http://hooks.example.com:8080/x?tenant=1',
    'https://93.184.216.34/hook',
    'https://[2606:4700:4700::1111]/hook',
  ])('accepts %s', (url) => {
    expect(checkTargetUrl(url).href).toBe(new URL(url).href);
  });

  it.each([
    ['not a url'],
    ['/relative/path'],
    ['ftp://example.com/x'],
    ['file:///etc/passwd'],
    ['javascript:alert(1)'],
    ['gopher://example.com/'],
    ['https://user:pass@example.com/x'],
    ['https://user@example.com/x'],
    ['https://example.com/x#frag'],
    ['https://example.com/x#'],
    [`https://example.com/${'a'.repeat(2100)}`],
  ])('refuses %s', (url) => {
    expect(() => checkTargetUrl(url)).toThrow(
      expect.objectContaining({ code: 'invalid_url' }) as Error,
    );
  });
});

describe('blocked ranges', () => {
  it.each([
    // IPv4: each range, at both ends where it matters.
    ['0.0.0.0', '"this network"'],
    ['0.255.255.255', '"this network"'],
    ['10.0.0.0', 'private (10/8)'],
    ['10.255.255.255', 'private (10/8)'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['172.16.0.1', 'private (172.16/12)'],
    ['172.31.255.255', 'private (172.16/12)'],
    ['192.0.0.8', 'IETF protocol assignments'],
    ['192.0.2.10', 'documentation'],
    ['192.88.99.1', '6to4 relay anycast'],
    ['192.168.1.1', 'private (192.168/16)'],
    ['198.18.0.1', 'benchmarking'],
    ['198.19.255.255', 'benchmarking'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved (240/4)'],
    ['255.255.255.255', 'broadcast'],
    // IPv6.
    ['::', 'unspecified'],
    ['::1', 'loopback (::1)'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['fe80::1', 'link-local (fe80::/10)'],
    ['febf:ffff::1', 'link-local (fe80::/10)'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast (ff00::/8)'],
    ['ff0e::101', 'multicast (ff00::/8)'],
    ['100::1', 'discard-only'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
    ['2001:2::1', 'IETF protocol assignments (2001::/23)'],
    ['2001:db8::1', 'documentation (2001:db8::/32)'],
    ['3fff::1', 'documentation (3fff::/20)'],
    ['5f00::1', 'SRv6'],
    ['64:ff9b:1::808:808', 'local-use NAT64'],
    ['::7f00:1', 'reserved (outside 2000::/3)'],
    ['::8.8.8.8', 'reserved (outside 2000::/3)'],
    ['4000::1', 'reserved (outside 2000::/3)'],
    // IPv6 carrying a blocked IPv4 address.
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:a9fe:a9fe', 'IPv4-mapped link-local'],
    ['::ffff:0.0.0.0', 'IPv4-mapped "this network"'],
    ['64:ff9b::7f00:1', 'NAT64 loopback'],
    ['64:ff9b::10.0.0.1', 'NAT64 private (10/8)'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 link-local'],
    ['2002:7f00:1::1', '6to4 loopback'],
    ['2002:c0a8:101::1', '6to4 private (192.168/16)'],
    ['2002:a9fe:a9fe:1234::1', '6to4 link-local'],
    // Not an address at all, and a scoped one.
    ['not-an-ip', 'not an IP address'],
    ['fe80::1%eth0', 'scoped'],
  ])('blocks %s (%s)', (address, label) => {
    expect(isBlockedAddress(address)).toBe(true);
    expect(blockedRangeOf(address)).toContain(label);
  });

  it.each([
    '1.1.1.1',
    '8.8.8.8',
    '93.184.216.34',
    '9.255.255.255', // just below 10/8
    '11.0.0.0', // just above 10/8
    '100.63.255.255', // just below 100.64/10
    '100.128.0.0', // just above 100.64/10
    '169.253.255.255',
    '172.15.255.255', // just below 172.16/12
    '172.32.0.0', // just above 172.16/12
    '192.167.255.255',
    '192.169.0.0',
    '198.17.255.255', // just below 198.18/15
    '198.20.0.0', // just above 198.18/15
    '223.255.255.255', // just below multicast
    '2606:4700:4700::1111',
    '2a00:1450:4001:80b::200e',
    '2001:4860:4860::8888', // Google, inside 2001::/16 but outside 2001::/23
    '::ffff:8.8.8.8', // IPv4-mapped public
    '::ffff:808:808',
    '64:ff9b::808:808', // NAT64 of a public address
    '64:ff9b::1.1.1.1',
    '2002:808:808::1', // 6to4 of a public address
  ])('lets public %s through', (address) => {
    expect(blockedRangeOf(address)).toBeUndefined();
  });
});

describe('resolveTarget', () => {
  const closed = { allowPrivate: false };
  const open = { allowPrivate: true };

  it.each([
    'http://127.0.0.1:8080/hook',
    'http://127.1/hook',
    'http://2130706433/hook', // decimal 127.0.0.1
    'http://0x7f.0.0.1/hook', // hex
    'http://017700000001/hook', // octal
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.7/h',
    'https://[::1]/hook',
    'http://[::ffff:127.0.0.1]/h',
    'http://[::ffff:7f00:1]/h',
    'http://[64:ff9b::a9fe:a9fe]/h',
    'http://[2002:7f00:1::]/h',
    'http://[fd00::1]:9000/h',
  ])('refuses the IP literal host of %s while private targets are refused', async (url) => {
    const dns = fakeDns({});
    const err = await refusal(resolveTarget(url, { ...closed, lookup: dns }));
    expect(err.code).toBe('blocked_target');
    expect(dns.calls).toEqual([]);
    // ...and allows it while they are allowed (WEBHOOK_ALLOW_PRIVATE, development).
    const target = await resolveTarget(url, { ...open, lookup: dns });
    expect(target.addresses).toHaveLength(1);
  });

  it('answers a public IP literal with itself, without asking DNS', async () => {
    const dns = fakeDns({});
    await expect(
      resolveTarget('https://93.184.216.34/hook', { ...closed, lookup: dns }),
    ).resolves.toEqual({
      url: new URL('https://93.184.216.34/hook'),
      hostname: '93.184.216.34',
      addresses: [{ address: '93.184.216.34', family: 4 }],
    });
    await expect(
      resolveTarget('https://[2606:4700:4700::1111]/hook', { ...closed, lookup: dns }),
    ).resolves.toMatchObject({
      hostname: '2606:4700:4700::1111',
      addresses: [{ address: '2606:4700:4700::1111', family: 6 }],
    });
    expect(dns.calls).toEqual([]);
  });

  it('returns every address of a public name, asking DNS once', async () => {
    const dns = fakeDns({
      'hooks.example.com': ['93.184.216.34', '2606:2800:220:1::1', '93.184.216.34'],
    });
    const target = await resolveTarget('https://hooks.example.com/x', { ...closed, lookup: dns });
    expect(target.hostname).toBe('hooks.example.com');
    expect(target.addresses).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:2800:220:1::1', family: 6 },
    ]);
    expect(dns.calls).toEqual(['hooks.example.com']);
  });

  it.each([
    [['10.0.0.5']],
    [['169.254.169.254']],
    [['::1']],
    [['::ffff:192.168.0.1']],
    [['93.184.216.34', '127.0.0.1']], // one bad answer among good ones is enough
    [['2606:2800:220:1::1', 'fd00::1']],
  ])('refuses a name that resolves to %j', async (answers) => {
    const dns = fakeDns({ 'rebind.example.com': answers });
    const err = await refusal(
      resolveTarget('https://rebind.example.com/hook', { ...closed, lookup: dns }),
    );
    expect(err.code).toBe('blocked_target');
  });

  it('refuses localhost through the system resolver, and allows it when private targets are', async () => {
    const err = await refusal(resolveTarget('http://localhost:9/hook', closed));
    expect(err.code).toBe('blocked_target');
    expect(err.message).toMatch(/loopback/);
    const target = await resolveTarget('http://localhost:9/hook', open);
    expect(target.addresses.map((a) => a.address)).toContain('127.0.0.1');
  });

  it('refuses addresses no receiver can have even when private targets are allowed', async () => {
    for (const address of [
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::',
      'ff02::1',
      '::ffff:0.0.0.0',
    ]) {
      const dns = fakeDns({ 'odd.example.com': [address] });
      const err = await refusal(resolveTarget('http://odd.example.com/', { ...open, lookup: dns }));
      expect({ address, code: err.code }).toEqual({ address, code: 'blocked_target' });
    }
  });

  it('calls a name that does not resolve unresolvable', async () => {
    const empty = fakeDns({ 'empty.example.com': [] });
    for (const [url, lookup] of [
      ['https://nx.example.com/', fakeDns({})],
      ['https://empty.example.com/', empty],
      ['https://junk.example.com/', fakeDns({ 'junk.example.com': ['not-an-address'] })],
    ] as const) {
      const err = await refusal(resolveTarget(url, { ...open, lookup }));
      expect(err.code).toBe('unresolvable');
    }
    const err = await refusal(resolveTarget('https://no-such-host.invalid/h', closed));
    expect(err.code).toBe('unresolvable');
  });

  it('checks the URL first, and never puts the URL (or its query) in the message', async () => {
    const invalid = await refusal(resolveTarget('https://u:p@example.com/', open));
    expect(invalid.code).toBe('invalid_url');
    const dns = fakeDns({ 'internal.example.com': ['10.1.1.1'] });
    const blocked = await refusal(
      resolveTarget('https://internal.example.com/h?token=s3cr3t-query', {
        ...closed,
        lookup: dns,
      }),
    );
    expect(blocked.message).not.toContain('s3cr3t');
    expect(blocked.message).not.toContain('internal.example.com');
  });
});
