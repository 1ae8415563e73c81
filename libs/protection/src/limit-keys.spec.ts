import { loadConfig } from '@identity/config';
import { deriveKey, hmac } from '@identity/crypto';
import { canonicalIp, ipBucket, LimitKeys } from './limit-keys';

describe('ipBucket', () => {
  it('keeps an IPv4 address', () => {
    expect(ipBucket(' 203.0.113.7 ')).toBe('203.0.113.7');
  });

  it('counts every address of an IPv6 /64 as one client', () => {
    const bucket = '2001:db8:1:2::/64';
    expect(ipBucket('2001:db8:1:2::1')).toBe(bucket);
    expect(ipBucket('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff')).toBe(bucket);
    expect(ipBucket('2001:db8:1:2:3:4:5.6.7.8')).toBe(bucket);
    expect(ipBucket('2001:db8:1:2::9%eth0')).toBe(bucket);
    expect(ipBucket('2001:db8:1:3::1')).not.toBe(bucket);
    expect(ipBucket('::1')).toBe('0:0:0:0::/64');
    expect(ipBucket('2001:db8::')).toBe('2001:db8:0:0::/64');
  });

  it('counts an IPv4-mapped IPv6 address as its IPv4 address, in either notation', () => {
    expect(ipBucket('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(ipBucket('::FFFF:cb00:7107')).toBe('203.0.113.7');
  });

  it('counts anything that is not an IP address as itself', () => {
    expect(ipBucket('unknown')).toBe('unknown');
    expect(ipBucket('')).toBe('');
  });
});

describe('canonicalIp', () => {
  it('hashes a mapped IPv4 address like the IPv4 address, as sessions do', () => {
    expect(canonicalIp('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(canonicalIp(' 2001:DB8::1 ')).toBe('2001:db8::1');
  });
});

describe('LimitKeys', () => {
  const config = loadConfig({ NODE_ENV: 'test' });
  const keys = new LimitKeys(config);

  it('never puts the raw email or address in a key', () => {
    expect(keys.email('Alice@Example.com')).not.toMatch(/alice|example/i);
    expect(keys.ip('203.0.113.7')).not.toContain('203');
    expect(keys.opaque('token-id')).not.toContain('token-id');
  });

  it('gives equal keys to spellings of one email and to one IPv6 /64', () => {
    expect(keys.email(' ALICE@example.com')).toBe(keys.email('alice@example.com'));
    expect(keys.ip('2001:db8::1')).toBe(keys.ip('2001:db8::2'));
    expect(keys.email('alice@example.com')).not.toBe(keys.email('bob@example.com'));
  });

  it('hashes IPs for events exactly as sessions do (HMAC under the ip-hash subkey)', () => {
    const expected = hmac(deriveKey(config.secrets.keyEncryptionKey, 'ip-hash'), '203.0.113.7');
    expect(keys.ipHash('::ffff:203.0.113.7')).toBe(expected);
    // Events name the address, not the /64 a limit counts.
    expect(keys.ipHash('2001:db8::1')).not.toBe(keys.ipHash('2001:db8::2'));
  });
});
