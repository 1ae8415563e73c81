/** Longest device name kept; longer names are cut (a label, not an identifier). */
export const DEVICE_NAME_MAX = 100;
/** Longest user agent kept; real ones are far shorter, so only junk is cut. */
export const USER_AGENT_MAX = 512;

// C0 and C1 controls: these strings are shown back in the session list, where a newline or an
// escape sequence has no business.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A client-supplied label, without control characters, trimmed, at most `max` characters; null when empty. */
export function clipText(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  // Cut by code points, so a surrogate pair is never split in half.
  const text = Array.from(value.replace(CONTROL, ' ').trim()).slice(0, max).join('').trim();
  return text.length > 0 ? text : null;
}

/** What a session remembers of its client: the user agent, and the IP only as a keyed hash. */
export function describeClient(
  client: { ip: string; userAgent?: string },
  ipHasher: { hash(ip: string): string },
): { userAgent: string | null; ipHash: string | null } {
  return {
    userAgent: clipText(client.userAgent, USER_AGENT_MAX),
    ipHash: client.ip.trim() ? ipHasher.hash(client.ip) : null,
  };
}
