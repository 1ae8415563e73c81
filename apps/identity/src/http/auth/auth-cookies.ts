import type { CookieOptions, Request, Response } from 'express';
import type { AppConfig } from '@identity/config';

/**
 * Cookie mode (API.md "Cookie mode"): names and attributes. With COOKIE_SECURE=false
 * (plain-http development only) the Secure flag and the __Host-/__Secure- prefixes go.
 */
export class AuthCookies {
  readonly access: string;
  readonly refresh: string;
  readonly csrf: string;

  constructor(private readonly config: AppConfig) {
    const secure = config.cookies.secure;
    this.access = secure ? '__Host-access_token' : 'access_token';
    this.refresh = secure ? '__Secure-refresh_token' : 'refresh_token';
    this.csrf = secure ? '__Host-csrf_token' : 'csrf_token';
  }

  private base(maxAgeSeconds: number): CookieOptions {
    return { secure: this.config.cookies.secure, maxAge: maxAgeSeconds * 1000 };
  }

  set(
    res: Response,
    tokens: {
      access: string;
      accessTtl: number;
      refresh: string;
      refreshTtl: number;
      csrf: string;
    },
  ): void {
    res.cookie(this.access, tokens.access, {
      ...this.base(tokens.accessTtl),
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
    });
    res.cookie(this.refresh, tokens.refresh, {
      ...this.base(tokens.refreshTtl),
      httpOnly: true,
      sameSite: 'strict',
      path: '/auth',
    });
    res.cookie(this.csrf, tokens.csrf, {
      ...this.base(tokens.refreshTtl),
      httpOnly: false,
      sameSite: 'strict',
      path: '/',
    });
  }

  clear(res: Response): void {
    const secure = this.config.cookies.secure;
    res.clearCookie(this.access, { secure, httpOnly: true, sameSite: 'lax', path: '/' });
    res.clearCookie(this.refresh, { secure, httpOnly: true, sameSite: 'strict', path: '/auth' });
    res.clearCookie(this.csrf, { secure, sameSite: 'strict', path: '/' });
  }

  read(req: Request, name: 'access' | 'refresh' | 'csrf'): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[this[name]];
    return typeof value === 'string' && value.length > 0 ? value : undefined;
  }
}

/** True when the client asked for cookie mode (`X-Auth-Transport: cookie`). */
export function wantsCookies(req: Request): boolean {
  return req.headers['x-auth-transport']?.toString().toLowerCase() === 'cookie';
}

/** The Bearer token of the Authorization header, if any. */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i.exec(header.trim());
  return match?.[1];
}
