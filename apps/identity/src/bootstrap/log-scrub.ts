const EMAIL = /[^\s@"'<>(),;:]+@[^\s@"'<>(),;:]+\.[^\s@"'<>(),;:]+/g;
// Opaque tokens and JWT segments are long base64url runs; no log line needs one.
const TOKEN = /[A-Za-z0-9_-]{32,}(\.[A-Za-z0-9_-]{16,}){0,2}/g;

/**
 * Removes emails and token-like strings from free text bound for the logs (error messages
 * can quote SQL parameters or request fields).
 */
export function scrubForLog(text: string): string {
  return text.replace(EMAIL, '[email]').replace(TOKEN, '[token]');
}
