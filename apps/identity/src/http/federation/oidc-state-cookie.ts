import type { Request, Response } from 'express';
import type { AppConfig } from '@identity/config';

/**
 * The cookie that binds a federated sign-in to the browser that started it: the sealed
 * attempt (state, PKCE verifier, nonce, provider, redirect_to, intent), 10 minutes, HttpOnly,
 * SameSite=Lax (it must come back on the provider's top-level redirect), `__Host-` and
 * Secure unless COOKIE_SECURE=false (plain-http development), as the auth cookies.
 */
export class OidcStateCookie {
  readonly name: string;
  private readonly secure: boolean;

  constructor(config: AppConfig) {
    this.secure = config.cookies.secure;
    this.name = this.secure ? '__Host-oidc_state' : 'oidc_state';
  }

  set(res: Response, cookie: { value: string; maxAgeSeconds: number }): void {
    res.cookie(this.name, cookie.value, {
      httpOnly: true,
      secure: this.secure,
      sameSite: 'lax',
      path: '/',
      maxAge: cookie.maxAgeSeconds * 1000,
    });
  }

  read(req: Request): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[this.name];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }

  clear(res: Response): void {
    res.clearCookie(this.name, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/' });
  }
}
