import type { RoleView } from '@identity/access';
import type { AdminUserView } from './admin-users.service';

/** A user of the admin API, exactly the fields of API.md. */
export interface AdminUserResponse {
  id: string;
  email: string;
  name: string | null;
  status: 'active' | 'locked';
  email_verified: boolean;
  mfa_enabled: boolean;
  roles: string[];
  created_at: string;
}

export function toAdminUserResponse(u: AdminUserView): AdminUserResponse {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    status: u.status,
    email_verified: u.emailVerified,
    mfa_enabled: u.mfaEnabled,
    roles: u.roles,
    created_at: u.createdAt.toISOString(),
  };
}

/** A role of the admin API. */
export interface RoleResponse {
  name: string;
  description: string;
  permissions: string[];
}

export function toRoleResponse(r: RoleView): RoleResponse {
  return { name: r.name, description: r.description, permissions: r.permissions };
}
