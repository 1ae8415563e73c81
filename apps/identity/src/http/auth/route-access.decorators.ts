import { applyDecorators, SetMetadata } from '@nestjs/common';

export const ROUTE_ACCESS = 'identity:route-access';

/** What a route demands. Every route must declare one; the global guard denies the others. */
export type RouteAccess =
  | { kind: 'public' }
  | {
      kind: 'authenticated';
      permission?: string;
      /** `'config'`: as `ADMIN_REQUIRE_MFA` says (admin routes). */
      requireMfa?: boolean | 'config';
    };

/** Open to anyone (login, register, JWKS, health...). */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROUTE_ACCESS, { kind: 'public' } satisfies RouteAccess));

/**
 * Needs a valid access token (Bearer or cookie); with `permission`, also that permission
 * (resolved from the user's roles); with `requireMfa`, a second factor in `amr`.
 */
export const Authenticated = (
  options: { permission?: string; requireMfa?: boolean | 'config' } = {},
): MethodDecorator & ClassDecorator =>
  applyDecorators(
    SetMetadata(ROUTE_ACCESS, { kind: 'authenticated', ...options } satisfies RouteAccess),
  );
