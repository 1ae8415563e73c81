import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/** An opaque bearer secret: `bytes` of CSPRNG output, base64url (default 32 bytes = 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Longest string worth looking up as an opaque token. Every token this platform issues is far
 * shorter (`randomToken()` is 43 characters); a longer one presented as a refresh or MFA token
 * is refused like any unknown token, without hashing or a lookup, so the answer does not
 * depend on the string's shape.
 */
export const MAX_PRESENTED_TOKEN_LENGTH = 512;

/**
 * How opaque tokens (refresh, verification, reset, one-time codes) are stored: SHA-256, hex.
 * A fast hash is right here: the input has 256 bits of entropy, so it cannot be guessed.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Constant-time comparison of two strings (false for different lengths, without early exit on content). */
export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  if (ab.length !== bb.length) {
    timingSafeEqual(ab, ab);
    return false;
  }
  return timingSafeEqual(ab, bb);
}

/** HMAC-SHA256, base64url. */
export function hmac(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('base64url');
}

/**
 * A purpose-bound subkey of a master secret (HKDF-SHA256), so one configured secret can key
 * several HMACs (IP hashing, CSRF tokens) without one use weakening another.
 */
export function deriveKey(master: Buffer, purpose: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `identity:${purpose}`, length));
}
