/** Longest accepted address (RFC 5321's path limit), in code points of the stored form. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Whitespace, control and invisible format characters (zero-width space, bidi overrides...).
 * They have no place in an address and would let two addresses that look the same differ.
 */
const FORBIDDEN_CHARACTER = /[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/**
 * The form an address is stored and shown in: NFKC (so a fullwidth `ａ` is an `a`) and trimmed,
 * with its case kept for the mails we send to it.
 */
export function canonicalEmail(raw: string): string {
  return raw.normalize('NFKC').trim();
}

/**
 * The key accounts are looked up and kept unique by (API.md: "compared case-insensitively
 * after Unicode NFKC normalisation and trimming"): NFKC, trimmed, lower-cased.
 */
export function normalizeEmail(raw: string): string {
  return canonicalEmail(raw).toLowerCase();
}

/**
 * Whether `raw` is an acceptable address (API.md: at most 254 characters, one `@`, no control
 * characters): after NFKC and trimming, at most {@link MAX_EMAIL_LENGTH} code points, exactly
 * one `@` with a non-empty local part and a domain of at least two non-empty dot-separated
 * labels, and no whitespace or control characters anywhere. Deliberately not a full RFC 5322
 * parser: the mailbox proves itself by receiving the verification mail.
 */
export function isValidEmail(raw: string): boolean {
  const email = canonicalEmail(raw);
  if ([...email].length > MAX_EMAIL_LENGTH) return false;
  if (FORBIDDEN_CHARACTER.test(email)) return false;
  const parts = email.split('@');
  if (parts.length !== 2) return false;
  const [local = '', domain = ''] = parts;
  if (local.length === 0) return false;
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((label) => label.length > 0);
}
