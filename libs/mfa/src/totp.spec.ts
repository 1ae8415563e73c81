import { createHmac } from 'node:crypto';
import { matchTotp, newTotpSecret, totpUri } from './totp';

/** RFC 4648 base32 decode, for computing expected codes without otplib. */
function base32Decode(input: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of input.replace(/=+$/, ''))
    bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = bits.match(/.{8}/g) ?? [];
  return Buffer.from(bytes.map((b) => parseInt(b, 2)));
}

/** RFC 6238 with SHA-1 and 6 digits, written from the RFC (not otplib). */
function codeAt(secret: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('TOTP', () => {
  const secret = newTotpSecret();
  const step = 58_000_000;
  const mid = step * 30 + 15;

  it('makes 160-bit base32 secrets, each new', () => {
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it('accepts the current step and one step either way, and says which step matched', async () => {
    for (const delta of [-1, 0, 1]) {
      await expect(
        matchTotp({ secret, code: codeAt(secret, step + delta), now: mid }),
      ).resolves.toBe(step + delta);
    }
  });

  it('refuses two steps away, even at the edges of the current period', async () => {
    for (const now of [step * 30, step * 30 + 29]) {
      await expect(matchTotp({ secret, code: codeAt(secret, step - 2), now })).resolves.toBeNull();
      await expect(matchTotp({ secret, code: codeAt(secret, step + 2), now })).resolves.toBeNull();
    }
  });

  it('refuses a step at or before the last used one (each step once)', async () => {
    const code = codeAt(secret, step);
    await expect(matchTotp({ secret, code, now: mid, afterStep: step })).resolves.toBeNull();
    await expect(matchTotp({ secret, code, now: mid, afterStep: step - 1 })).resolves.toBe(step);
    const previous = codeAt(secret, step - 1);
    await expect(
      matchTotp({ secret, code: previous, now: mid, afterStep: step }),
    ).resolves.toBeNull();
  });

  it('ignores spaces and refuses anything that is not six digits', async () => {
    const code = codeAt(secret, step);
    await expect(
      matchTotp({ secret, code: `${code.slice(0, 3)} ${code.slice(3)}`, now: mid }),
    ).resolves.toBe(step);
    for (const bad of ['', '12345', '1234567', 'abcdef', `${code}0`]) {
      await expect(matchTotp({ secret, code: bad, now: mid })).resolves.toBeNull();
    }
    await expect(matchTotp({ secret: 'not base32!', code, now: mid })).resolves.toBeNull();
  });

  it('builds an otpauth URL with issuer, account and the parameters of API.md', () => {
    const url = new URL(
      totpUri({ issuer: 'id.example.test', account: 'ann@example.test', secret }),
    );
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(decodeURIComponent(url.pathname)).toBe('/id.example.test:ann@example.test');
    expect(Object.fromEntries(url.searchParams)).toEqual(
      expect.objectContaining({ secret, issuer: 'id.example.test' }),
    );
    expect(url.searchParams.get('algorithm') ?? 'SHA1').toBe('SHA1');
    expect(url.searchParams.get('digits') ?? '6').toBe('6');
    expect(url.searchParams.get('period') ?? '30').toBe('30');
  });
});
