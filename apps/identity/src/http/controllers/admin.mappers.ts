import type { RoleView } from '@identity/access';
import type { AdminUserView } from '../../admin/admin-users.service';
import type { WebhookEndpointRow } from '@identity/delivery';

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

/** A webhook receiver as listed: never its secret. */
export interface WebhookResponse {
  id: string;
  url: string;
  events: string[];
  created_at: string;
}

export function toWebhookResponse(w: WebhookEndpointRow): WebhookResponse {
  return { id: w.id, url: w.url, events: w.events, created_at: w.createdAt.toISOString() };
}

/** `POST /admin/webhooks`: the one answer that carries the secret. */
export interface CreatedWebhookResponse {
  id: string;
  url: string;
  events: string[];
  secret: string;
}

export function toCreatedWebhookResponse(
  w: WebhookEndpointRow & { secret: string },
): CreatedWebhookResponse {
  return { id: w.id, url: w.url, events: w.events, secret: w.secret };
}
