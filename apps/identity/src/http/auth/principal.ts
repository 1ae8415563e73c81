import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '@identity/tokens';
import type { ClientContext } from '@identity/sessions';

/** The request as the guard leaves it: the authenticated principal and how it came. */
export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  authVia?: 'bearer' | 'cookie';
}

/** `@CurrentPrincipal()`: the principal of an `@Authenticated()` route. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): Principal => {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!req.principal)
      throw new Error('CurrentPrincipal used on a route without @Authenticated()');
    return req.principal;
  },
);

/** The client as seen by this server: IP per TRUST_PROXY (express `req.ip`), user agent. */
export function clientOf(req: Request): ClientContext {
  const ua = req.headers['user-agent'];
  return { ip: req.ip ?? req.socket.remoteAddress ?? 'unknown', userAgent: ua?.slice(0, 512) };
}

/** `@Client()`: the {@link ClientContext} of the request. */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientContext =>
  clientOf(ctx.switchToHttp().getRequest<Request>()),
);
