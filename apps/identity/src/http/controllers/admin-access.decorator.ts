import { ADMIN_PERMISSION } from '@identity/access';
import { Authenticated } from '../auth/route-access.decorators';

/**
 * An admin route: needs `identity:admin` (else 403 `forbidden`) and, while
 * `ADMIN_REQUIRE_MFA` is true (the default), a second factor in the token's `amr` (else 403
 * `mfa_required`).
 */
export const AdminOnly = (): MethodDecorator & ClassDecorator =>
  Authenticated({ permission: ADMIN_PERMISSION, requireMfa: 'config' });
