import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Authenticator } from '@identity/tokens';
import { ProblemException } from '../problem/problem';
import { AuthCookies, bearerToken } from './auth-cookies';
import { CsrfTokens } from './csrf-tokens';

/** What `/auth/logout` revokes (the sessions context takes it as is). */
export interface LogoutTarget {
  sessionId?: string;
  refreshToken?: string;
  accessJti?: string;
  accessExpiresAt?: Date;
  userId?: string;
}

/**
 * Credentials of the two routes that take a refresh token or cookies rather than a Bearer
 * token (refresh and logout). A cookie-authenticated POST must carry the CSRF header; for
 * refresh the token cannot be bound to a session before the lookup, so the check there is
 * "header equals cookie and carries our signature" (a forced refresh only rotates the
 * victim's own cookies, whose values the attacker cannot read).
 */
@Injectable()
export class RefreshCredentials {
  private readonly cookies: AuthCookies;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly csrf: CsrfTokens,
    private readonly authenticator: Authenticator,
  ) {
    this.cookies = new AuthCookies(config);
  }

  /** The refresh token of the body, else of the cookie (then CSRF-checked). */
  fromRequest(req: Request, fromBody?: string): string | undefined {
    if (fromBody) return fromBody;
    const cookie = this.cookies.read(req, 'refresh');
    if (cookie) this.requireCsrf(req);
    return cookie;
  }

  /**
   * Who is logging out: the access token (Bearer or cookie) and/or the refresh token (body or
   * cookie). An access token that is ours but already revoked or expired still counts as a
   * credential (logout is idempotent); garbage, or no credential at all, is 401.
   */
  async logoutTarget(req: Request, refreshFromBody?: string): Promise<LogoutTarget> {
    const bearer = bearerToken(req);
    const accessCookie = bearer ? undefined : this.cookies.read(req, 'access');
    const target: LogoutTarget = {};
    let presented = false;
    const access = bearer ?? accessCookie;
    if (access) {
      const result = await this.authenticator.authenticate(access);
      if (result.ok) {
        if (accessCookie) this.requireCsrf(req, result.principal.sessionId);
        target.sessionId = result.principal.sessionId;
        target.userId = result.principal.userId;
        target.accessJti = result.principal.jti;
        target.accessExpiresAt = result.principal.expiresAt;
        presented = true;
      } else if (result.reason === 'revoked' || result.reason === 'expired') {
        presented = true;
      } else if (!refreshFromBody && !this.cookies.read(req, 'refresh')) {
        throw unauthorized();
      }
    }
    const refresh = this.fromRequest(req, refreshFromBody);
    if (refresh) {
      target.refreshToken = refresh;
      presented = true;
    }
    if (!presented) throw unauthorized();
    return target;
  }

  private requireCsrf(req: Request, sessionId?: string): void {
    const ok = this.csrf.verify({
      header: req.headers['x-csrf-token']?.toString(),
      cookie: this.cookies.read(req, 'csrf'),
      sessionId,
    });
    if (!ok) throw new ProblemException(403, 'csrf_failed', 'Missing or invalid CSRF token.');
  }
}

function unauthorized(): ProblemException {
  return new ProblemException(401, 'unauthorized', 'A valid access or refresh token is required.', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}
