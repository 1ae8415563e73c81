import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { deriveKey, hmac, safeEqual } from '@identity/crypto';

/**
 * CSRF tokens for cookie mode: a signed token bound to the session, not a bare random
 * string. The value must be plain base64url (API.md), so the three parts are packed in one
 * buffer: sessionId (36 ascii) | random (16 bytes) | HMAC-SHA256(sessionId | random) (32 bytes).
 * A script on another origin can neither read the cookie nor forge the signature; an
 * injected cookie of another session fails the binding check.
 */
@Injectable()
export class CsrfTokens {
  private readonly key: Buffer;

  constructor(@InjectConfig() config: AppConfig) {
    this.key = deriveKey(config.secrets.keyEncryptionKey, 'csrf');
  }

  issue(sessionId: string): string {
    const random = randomBytes(16);
    const mac = Buffer.from(
      hmac(this.key, `${sessionId}|${random.toString('base64url')}`),
      'base64url',
    );
    return Buffer.concat([Buffer.from(sessionId, 'ascii'), random, mac]).toString('base64url');
  }

  /** The session id a well-signed token is bound to; undefined when it is forged or garbled. */
  sessionOf(token: string): string | undefined {
    const raw = Buffer.from(token, 'base64url');
    if (raw.length !== 36 + 16 + 32) return undefined;
    const sessionId = raw.subarray(0, 36).toString('ascii');
    const random = raw.subarray(36, 52).toString('base64url');
    const mac = raw.subarray(52).toString('base64url');
    return safeEqual(mac, hmac(this.key, `${sessionId}|${random}`)) ? sessionId : undefined;
  }

  /**
   * The double-submit check: the header equals the cookie (constant time), the token is ours,
   * and, when the request's session is known, bound to it.
   */
  verify(args: { header?: string; cookie?: string; sessionId?: string }): boolean {
    const { header, cookie, sessionId } = args;
    if (!header || !cookie || !safeEqual(header, cookie)) return false;
    const bound = this.sessionOf(cookie);
    if (!bound) return false;
    return sessionId === undefined || safeEqual(bound, sessionId);
  }
}
