import { SecretBox } from './secret-box';
import { clientIpHasher } from './client-ip';
import { deriveKey, hashToken, hmac, randomToken, safeEqual } from './tokens';

describe('SecretBox', () => {
  const box = new SecretBox(Buffer.alloc(32, 1));

  it('round-trips and never stores the plaintext', () => {
    const sealed = box.encrypt('JBSWY3DPEHPK3PXP', 'user-1');
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(sealed.startsWith(`v1.${box.kekId}.`)).toBe(true);
    expect(box.decryptString(sealed, 'user-1')).toBe('JBSWY3DPEHPK3PXP');
  });

  it('uses a fresh IV each time', () => {
    expect(box.encrypt('x')).not.toBe(box.encrypt('x'));
  });

  it('refuses another owner (aad), another key and tampering', () => {
    const sealed = box.encrypt('secret', 'user-1');
    expect(() => box.decrypt(sealed, 'user-2')).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 2)).decrypt(sealed, 'user-1')).toThrow(
      /another key/,
    );
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[4]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => box.decrypt(parts.join('.'), 'user-1')).toThrow();
    expect(() => box.decrypt('garbage')).toThrow(/malformed/);
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow();
  });
});

describe('token helpers', () => {
  it('random tokens carry 256 bits, base64url', () => {
    const t = randomToken();
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(t);
  });

  it('hashes deterministically (SHA-256 hex)', () => {
    expect(hashToken('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('compares in constant time with correct results', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
  });

  it('derives distinct keys per purpose', () => {
    const m = Buffer.alloc(32, 9);
    expect(deriveKey(m, 'ip').equals(deriveKey(m, 'ip'))).toBe(true);
    expect(deriveKey(m, 'ip').equals(deriveKey(m, 'csrf'))).toBe(false);
    expect(hmac(deriveKey(m, 'ip'), '127.0.0.1')).not.toBe(hmac(deriveKey(m, 'csrf'), '127.0.0.1'));
  });
});

describe('clientIpHasher', () => {
  it('keys the hash, and hashes an IPv4-mapped address like the IPv4 one', () => {
    const hash = clientIpHasher(Buffer.alloc(32, 3));
    expect(hash('::ffff:203.0.113.7')).toBe(hash('203.0.113.7'));
    expect(hash(' 2001:DB8::1 ')).toBe(hash('2001:db8::1'));
    expect(hash('203.0.113.7')).not.toBe(hash('203.0.113.8'));
    expect(hash('203.0.113.7')).not.toBe(clientIpHasher(Buffer.alloc(32, 4))('203.0.113.7'));
    expect(hash('203.0.113.7')).not.toContain('203');
  });
});
