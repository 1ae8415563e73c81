import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { IDENTITY_PERMISSIONS, IDENTITY_PUBLIC, IDENTITY_USER } from './decorators';
import { IdentityClient, IdentityUnavailableError } from './identity-client';

interface HttpRequest {
  headers: Record<string, string | string[] | undefined>;
  [key: string]: unknown;
}

interface HttpResponse {
  setHeader(name: string, value: string): unknown;
}

/**
 * Deny by default: every HTTP route needs `Authorization: Bearer <access token>` of the
 * platform (401 `unauthorized` with `WWW-Authenticate: Bearer` otherwise) unless it is
 * `@Public()`; `@RequirePermissions(...)` also needs each permission (403 `forbidden`). When
 * the platform had to be asked and could not answer: 503 `unavailable` with `Retry-After`.
 * Other contexts (RPC, websockets) are refused unless `@Public()`.
 */
@Injectable()
export class IdentityGuard implements CanActivate {
  private readonly logger = new Logger('IdentityGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IDENTITY_PUBLIC, targets)) return true;
    if (context.getType() !== 'http') return false;
    const http = context.switchToHttp();
    const req = http.getRequest<HttpRequest>();
    const res = http.getResponse<HttpResponse>();
    const required = [
      ...new Set(this.reflector.getAllAndMerge<string[]>(IDENTITY_PERMISSIONS, targets) ?? []),
    ];
    const token = bearer(req.headers.authorization);
    if (!token) throw unauthorized(res);
    let result: Awaited<ReturnType<IdentityClient['authenticate']>>;
    try {
      result = await this.identity.authenticate(token, { withPermissions: required.length > 0 });
    } catch (err) {
      if (!(err instanceof IdentityUnavailableError)) throw err;
      this.logger.warn(`failing closed: ${err.message}`);
      res.setHeader('Retry-After', '1');
      throw new ServiceUnavailableException({
        code: 'unavailable',
        detail: 'The identity platform cannot be reached; retry shortly.',
      });
    }
    if (!result.ok) throw unauthorized(res);
    const held = new Set(result.user.permissions ?? []);
    const missing = required.filter((p) => !held.has(p));
    if (missing.length > 0) {
      throw new ForbiddenException({ code: 'forbidden', detail: `needs ${missing.join(', ')}` });
    }
    req[IDENTITY_USER] = result.user;
    return true;
  }
}

function bearer(header: string | string[] | undefined): string | undefined {
  const match = /^Bearer ([^\s]+)$/i.exec(typeof header === 'string' ? header : '');
  return match?.[1];
}

function unauthorized(res: HttpResponse): UnauthorizedException {
  res.setHeader('WWW-Authenticate', 'Bearer');
  return new UnauthorizedException({ code: 'unauthorized' });
}
