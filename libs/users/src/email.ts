/** Longest accepted address (RFC 5321's path limit), in code points of the stored form. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * Whitespace, control and invisible format characters (zero-width space, bidi overrides...),
 * which have no place in an address and would let two addresses that look the same differ;
 * and RFC 5322's specials (quotes, angle brackets, parentheses, brackets, comma, semicolon,
 * colon, backslash): an address is plain `local@domain`, so a string such as
 * `"x"<a@evil.example>` or `a@x.example, b@evil.example` can never reach a mail header, where
 * a mailer would read it as another recipient.
 */
const FORBIDDEN_CHARACTER = /[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}"(),:;<>[\]\\]/u;

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
 * characters, a plain `local@domain`): after NFKC and trimming, at most
 * {@link MAX_EMAIL_LENGTH} code points, exactly one `@` with a non-empty local part and a
 * domain of at least two non-empty dot-separated labels, and no whitespace, control characters
 * or RFC 5322 specials anywhere. Deliberately not a full RFC 5322
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
