import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Authenticator, type Principal } from '@identity/tokens';
import { AuthCookies, bearerToken } from './auth-cookies';

/**
 * The principal of a request to a public route that may come from a signed-in browser (the
 * page that confirms an email change): the same `authenticate()` as the guard, but a missing
 * or invalid token is simply no principal. Never a reason to refuse, never a reason to allow:
 * only what the route may keep (the caller's own session).
 */
@Injectable()
export class OptionalPrincipal {
  private readonly cookies: AuthCookies;

  constructor(
    private readonly authenticator: Authenticator,
    @InjectConfig() config: AppConfig,
  ) {
    this.cookies = new AuthCookies(config);
  }

  async of(req: Request): Promise<Principal | undefined> {
    const token = bearerToken(req) ?? this.cookies.read(req, 'access');
    if (!token) return undefined;
    const result = await this.authenticator.authenticate(token);
    return result.ok ? result.principal : undefined;
  }
}
