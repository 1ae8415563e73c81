import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Injectable,
  Logger,
  ServiceUnavailableException,
  SetMetadata,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IdentityClient, type VerifiedToken } from './identity.client';

const REQUIRED_PERMISSION = 'reporting:required-permission';

/** The permission a route demands, checked against the identity service's answer. */
export const RequirePermission = (permission: string): MethodDecorator =>
  SetMetadata(REQUIRED_PERMISSION, permission);

/** The request as the guard leaves it. */
export interface VerifiedRequest extends Request {
  identity?: VerifiedToken;
}

/**
 * Every request needs a Bearer token that the identity service reports active (else 401);
 * a route with `@RequirePermission` also needs that permission (else 403). The identity
 * service is asked on every request over gRPC, so a logout, a lock or a role taken away
 * counts at once. When it cannot answer, the request fails closed (503).
 */
@Injectable()
export class PermissionGuard implements CanActivate {
  private readonly logger = new Logger('PermissionGuard');

  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityClient,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<VerifiedRequest>();
    const match = /^Bearer ([^\s]+)$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized();
    let verified: VerifiedToken;
    try {
      verified = await this.identity.verifyToken(match[1]);
    } catch (err) {
      this.logger.error(`identity service unavailable: ${(err as Error).message}`);
      throw new ServiceUnavailableException({ code: 'unavailable' });
    }
    if (!verified.active) throw unauthorized();
    const permission = this.reflector.get<string | undefined>(
      REQUIRED_PERMISSION,
      context.getHandler(),
    );
    if (permission && !verified.permissions.includes(permission)) {
      throw new ForbiddenException({ code: 'forbidden', detail: `needs ${permission}` });
    }
    req.identity = verified;
    return true;
  }
}

function unauthorized(): UnauthorizedException {
  return new UnauthorizedException({ code: 'unauthorized' });
}
