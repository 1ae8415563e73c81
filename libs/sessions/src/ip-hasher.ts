import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { clientIpHasher } from '@identity/crypto';

/**
 * Turns a client IP into a keyed hash, so sessions and audit rows can tell "same address"
 * without storing the address (the rule itself is `clientIpHasher` of `@identity/crypto`).
 */
@Injectable()
export class IpHasher {
  private readonly hashIp: (ip: string) => string;

  constructor(@InjectConfig() config: AppConfig) {
    this.hashIp = clientIpHasher(config.secrets.keyEncryptionKey);
  }

  /** The hash of `ip`, base64url; `::ffff:1.2.3.4` hashes like `1.2.3.4`. */
  hash(ip: string): string {
    return this.hashIp(ip);
  }
}
