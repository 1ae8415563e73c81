import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { IdentityUser } from './identity-client';

export const IDENTITY_PUBLIC = 'identity-client:public';
export const IDENTITY_PERMISSIONS = 'identity-client:permissions';
/** Where the guard leaves the verified user on the request. */
export const IDENTITY_USER = 'identityUser';

/** The route needs no token (health checks, public pages). Everything else does. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IDENTITY_PUBLIC, true);

/**
 * The route needs a token whose user holds every one of these permissions (`resource:action`)
 * right now; else 403. On a class, it applies to each route, in addition to the route's own.
 */
export const RequirePermissions = (...permissions: string[]): MethodDecorator & ClassDecorator =>
  SetMetadata(IDENTITY_PERMISSIONS, permissions);

/**
 * The verified user of the request (`@CurrentUser() user: IdentityUser`), or one field of it
 * (`@CurrentUser('userId') id: string`). Undefined on a `@Public()` route.
 */
export const CurrentUser = createParamDecorator(
  (field: keyof IdentityUser | undefined, context: ExecutionContext): unknown => {
    const req = context.switchToHttp().getRequest<Record<string, unknown>>();
    const user = req[IDENTITY_USER] as IdentityUser | undefined;
    return field ? user?.[field] : user;
  },
);
