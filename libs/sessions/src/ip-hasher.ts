import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { deriveKey, hmac } from '@identity/crypto';

/**
 * Turns a client IP into a keyed hash (HMAC-SHA256 under a subkey of the key-encryption key),
 * so sessions and audit rows can tell "same address" without storing the address: a plain
 * hash of an IPv4 address would be reversed by enumerating all 2^32 of them.
 */
@Injectable()
export class IpHasher {
  private readonly key: Buffer;

  constructor(@InjectConfig() config: AppConfig) {
    this.key = deriveKey(config.secrets.keyEncryptionKey, 'ip-hash');
  }

  /**
   * The hash of `ip`, base64url. An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`, as a dual-stack
   * socket reports IPv4 peers) hashes like the IPv4 address, so one client gets one hash.
   */
  hash(ip: string): string {
    const normalized = ip.trim().toLowerCase();
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(normalized);
    return hmac(this.key, mapped?.[1] ?? normalized);
  }
}
