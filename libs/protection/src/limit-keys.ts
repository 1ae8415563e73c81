import { isIPv4, isIPv6 } from 'node:net';
import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { canonicalIp, clientIpHasher, deriveKey, hmac } from '@identity/crypto';
import { normalizeEmail } from '@identity/users';

/** Re-exported for this lib's tests; the rule lives in `@identity/crypto`. */
export { canonicalIp };

/**
 * The unit a per-IP limit counts: the IPv4 address, or the /64 network of an IPv6 address.
 * A single IPv6 subscriber is usually handed a whole /64 (2^64 addresses); counting single
 * addresses would let one client rotate through them and never meet a per-IP limit. An
 * IPv4-mapped or -translated form counts as its IPv4 address. Anything else (no socket
 * address, a proxy's placeholder) counts as itself.
 */
export function ipBucket(ip: string): string {
  const address = ip.trim().toLowerCase();
  if (isIPv4(address)) return address;
  const withoutZone = address.split('%')[0] ?? address;
  if (!isIPv6(withoutZone)) return address;
  const words = ipv6Words(withoutZone);
  if (isIpv4Mapped(words)) {
    const [high = 0, low = 0] = words.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${words
    .slice(0, 4)
    .map((word) => word.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit words of a valid IPv6 address (`::` expanded, a dotted tail converted). */
function ipv6Words(address: string): number[] {
  let text = address;
  const dotted = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(2).map(Number) as [number, number, number, number];
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((word) => parseInt(word, 16));
  const [head = '', tail] = text.split('::');
  const front = parse(head);
  if (tail === undefined) return front;
  const back = parse(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

/** `::ffff:a.b.c.d`: how a dual-stack socket reports an IPv4 peer. */
function isIpv4Mapped(words: number[]): boolean {
  return words.slice(0, 5).every((word) => word === 0) && words[5] === 0xffff;
}

/**
 * The keys the limiters count under. Emails, IPs and token ids are keyed hashes, never raw:
 * Redis keys show up in `MONITOR`, `SCAN`, slow logs and backups, and must not turn them into
 * a list of who tried to log in from where.
 */
@Injectable()
export class LimitKeys {
  private readonly limitKey: Buffer;
  private readonly hashIp: (ip: string) => string;

  constructor(@InjectConfig() config: AppConfig) {
    this.limitKey = deriveKey(config.secrets.keyEncryptionKey, 'limit-key');
    // The rule sessions' IpHasher uses: audit rows and sessions then agree on an IP's hash.
    this.hashIp = clientIpHasher(config.secrets.keyEncryptionKey);
  }

  /**
   * The counter key of an email, normalised first (API.md's rule, `normalizeEmail`) so that
   * `Alice@x` and ` alice@x` share one budget: case variants must not multiply an attacker's
   * attempts against one mailbox.
   */
  email(email: string): string {
    return hmac(this.limitKey, normalizeEmail(email));
  }

  /** The counter key of a client's IP bucket (see {@link ipBucket}). */
  ip(ip: string): string {
    // An email always has an '@' and a bucket never does, so the two cannot collide.
    return hmac(this.limitKey, ipBucket(ip));
  }

  /** The counter key of an opaque id (an mfa_token's id may be as good as the token). */
  opaque(id: string): string {
    return hmac(this.limitKey, `id:${id}`);
  }

  /** The `ipHash` events carry: the same keyed hash sessions store for this address. */
  ipHash(ip: string): string {
    return this.hashIp(ip);
  }
}
