import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type AppConfig, InjectConfig } from '@identity/config';
import { AccessService } from '@identity/access';
import { Authenticator, type Principal } from '@identity/tokens';
import { isDependencyUnavailable } from '../../bootstrap/dependency-outage';
import { ProblemException } from '../problem/problem';
import { AuthCookies, bearerToken } from './auth-cookies';
import { CsrfTokens } from './csrf-tokens';
import type { AuthenticatedRequest } from './principal';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorators';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The global guard: deny by default. A route must say `@Public()` or `@Authenticated()`;
 * one that says neither is refused (and logged), so forgetting the decorator can never
 * publish a route. Authenticated routes take a Bearer token or the access cookie; a
 * state-changing request authenticated by cookie must also pass the CSRF check.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');
  private readonly cookies: AuthCookies;
  /** `ADMIN_REQUIRE_MFA`, for routes whose `requireMfa` is `'config'`. */
  private readonly adminRequiresMfa: boolean;

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: Authenticator,
    private readonly csrf: CsrfTokens,
    private readonly access: AccessService,
    @InjectConfig() config: AppConfig,
  ) {
    this.cookies = new AuthCookies(config);
    this.adminRequiresMfa = config.admin.requireMfa;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ROUTE_ACCESS, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!access) {
      this.logger.error(
        { handler: `${context.getClass().name}.${context.getHandler().name}` },
        'route has no access decision; refused',
      );
      throw new ProblemException(403, 'forbidden', 'You may not do this.');
    }
    if (access.kind === 'public') return true;

    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const bearer = bearerToken(req);
    const cookie = bearer ? undefined : this.cookies.read(req, 'access');
    const token = bearer ?? cookie;
    if (!token) throw unauthorized();
    const result = await this.authenticator.authenticate(token);
    if (!result.ok) throw unauthorized();
    if (cookie && !SAFE_METHODS.has(req.method)) {
      const ok = this.csrf.verify({
        header: req.headers['x-csrf-token']?.toString(),
        cookie: this.cookies.read(req, 'csrf'),
        sessionId: result.principal.sessionId,
      });
      if (!ok) throw new ProblemException(403, 'csrf_failed', 'Missing or invalid CSRF token.');
    }
    await this.authorize(result.principal, access);
    req.principal = result.principal;
    req.authVia = bearer ? 'bearer' : 'cookie';
    return true;
  }

  /** Permission (resolved from the user's current roles) and second-factor demands of a route. */
  private async authorize(
    principal: Principal,
    access: Extract<RouteAccess, { kind: 'authenticated' }>,
  ): Promise<void> {
    if (access.permission) {
      // From the access cache (Postgres only on a miss), kept current across instances. An
      // account gone meanwhile is simply forbidden; Postgres down is 503, not a verdict.
      const current = await this.access.currentAccess(principal.userId).catch((err: unknown) => {
        if (isDependencyUnavailable(err)) throw err;
        return undefined;
      });
      if (!current || current.locked || !current.permissions.includes(access.permission)) {
        throw new ProblemException(403, 'forbidden', 'You may not do this.');
      }
    }
    const requireMfa =
      access.requireMfa === 'config' ? this.adminRequiresMfa : access.requireMfa === true;
    if (requireMfa && !principal.amr.some((m) => m === 'otp' || m === 'rec')) {
      throw new ProblemException(
        403,
        'mfa_required',
        'This needs a session signed in with a second factor.',
      );
    }
  }
}

function unauthorized(): ProblemException {
  return new ProblemException(401, 'unauthorized', 'A valid access token is required.', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}
