import { deriveKey, hmac } from './tokens';

/**
 * An IP as one client has it: trimmed, lower-cased, and an IPv4-mapped IPv6 address
 * (`::ffff:1.2.3.4`, as a dual-stack socket reports IPv4 peers) as its IPv4 address.
 */
export function canonicalIp(ip: string): string {
  const normalized = ip.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(normalized);
  return mapped?.[1] ?? normalized;
}

/**
 * The one way a client IP is kept (sessions, audit rows, events): HMAC-SHA256 of its canonical
 * form under the `ip-hash` subkey of `master`, base64url. A plain hash of an IPv4 address would
 * be reversed by enumerating all 2^32 of them; one shared rule keeps every hash comparable.
 */
export function clientIpHasher(master: Buffer): (ip: string) => string {
  const key = deriveKey(master, 'ip-hash');
  return (ip) => hmac(key, canonicalIp(ip));
}
