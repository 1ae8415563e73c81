import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v1';

/**
 * Authenticated encryption of secrets at rest (signing keys' private parts, TOTP secrets,
 * webhook secrets, mail payloads) with AES-256-GCM under the key-encryption key.
 *
 * Output: `v1.<kekId>.<iv>.<tag>.<ciphertext>` (base64url parts). `kekId` names the key that
 * encrypted it, so a future KEK rotation can tell old from new. `aad` binds a ciphertext to
 * its owner (e.g. the row id): moved to another row, it no longer decrypts.
 */
export class SecretBox {
  /** First 16 hex chars of SHA-256(key): identifies the key without revealing it. */
  readonly kekId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
    this.kekId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  encrypt(plaintext: Buffer | string, aad = ''): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad));
    const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [
      VERSION,
      this.kekId,
      iv.toString('base64url'),
      tag.toString('base64url'),
      ct.toString('base64url'),
    ].join('.');
  }

  /** @throws Error when the box was made with another key, was tampered with, or `aad` differs. */
  decrypt(box: string, aad = ''): Buffer {
    const [version, kekId, iv, tag, ct] = box.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined)
      throw new Error('malformed secret box');
    if (kekId !== this.kekId) throw new Error('secret box was encrypted with another key');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]);
  }

  decryptString(box: string, aad = ''): string {
    return this.decrypt(box, aad).toString('utf8');
  }
}
