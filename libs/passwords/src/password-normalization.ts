/**
 * The one form of a password that is measured, compared and hashed. NFKC (NIST SP 800-63B
 * §5.1.1.2) makes the same visible password typed on different keyboards or IMEs (composed
 * vs. decomposed accents, full-width digits) count, match and hash alike.
 */
export function normalizePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Counts Unicode code points, not UTF-16 units, so an emoji is one character, as users see it. */
export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}
