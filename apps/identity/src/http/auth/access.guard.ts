import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ProblemException } from '../problem/problem';
import { ROUTE_ACCESS, type RouteAccess } from './route-access.decorators';

/**
 * The global guard: deny by default. A route must say `@Public()` or `@Authenticated()`;
 * one that says neither is refused (and logged), so forgetting the decorator can never
 * publish a route.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('AccessGuard');

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
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
    throw new ProblemException(401, 'unauthorized', 'Authentication is required.');
  }
}
