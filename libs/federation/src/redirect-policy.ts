import { FederationError } from './federation.errors';

const MAX_REDIRECT_LENGTH = 2048;

/**
 * Where a sign-in may send the browser back to: only APP_URL's origin and the configured
 * ones (CORS_ORIGINS, FEDERATION_REDIRECT_ORIGINS), compared as whole origins after URL
 * parsing, so `//evil.example`, `/\evil.example`, `https://app.example.com@evil.example` and
 * look-alike prefixes (`https://app.example.com.evil.example`) are refused. Anything else
 * would make the callback an open redirector that carries a sign-in code to a stranger.
 */
export class RedirectPolicy {
  private readonly allowed: ReadonlySet<string>;
  private readonly base: string;

  constructor(appUrl: string, allowedOrigins: readonly string[]) {
    this.base = `${appUrl.replace(/\/+$/, '')}/`;
    this.allowed = new Set([new URL(this.base).origin, ...allowedOrigins]);
  }

  /** Where to go when the caller named no `redirect_to` (and after an unreadable state). */
  get fallback(): string {
    return this.base;
  }

  /**
   * The absolute return address for `redirectTo` (a path is taken relative to APP_URL;
   * none means APP_URL itself).
   * @throws FederationError `federation.redirect_not_allowed`.
   */
  resolve(redirectTo: string | undefined): string {
    if (redirectTo === undefined || redirectTo === '') return this.base;
    const refuse = () =>
      new FederationError('federation.redirect_not_allowed', 'redirect_not_allowed');
    if (redirectTo.length > MAX_REDIRECT_LENGTH) throw refuse();
    let url: URL;
    try {
      url = new URL(redirectTo, this.base);
    } catch {
      throw refuse();
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse();
    if (url.username || url.password) throw refuse();
    if (!this.allowed.has(url.origin)) throw refuse();
    return url.href;
  }
}
