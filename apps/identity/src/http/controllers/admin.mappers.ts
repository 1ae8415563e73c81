import type { RoleView } from '@identity/access';
import type { AdminUserView } from '../../admin/admin-users.service';
import type { WebhookDelivery, WebhookDeliveryPage, WebhookEndpoint } from '@identity/delivery';

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

/** A webhook receiver as listed (API.md: exactly these fields): never its secret. */
export interface WebhookResponse {
  id: string;
  url: string;
  events: string[];
  created_at: string;
}

export function toWebhookResponse(w: WebhookEndpoint): WebhookResponse {
  return { id: w.id, url: w.url, events: w.events, created_at: w.createdAt.toISOString() };
}

/** One receiver with its settings (`GET`/`PATCH /admin/webhooks/:id`): never its secret. */
export interface WebhookDetailResponse extends WebhookResponse {
  format: string;
  enabled: boolean;
  updated_at: string;
  /** While a secret rotation runs, when the previous secret stops signing; else null. */
  previous_secret_expires_at: string | null;
}

export function toWebhookDetailResponse(w: WebhookEndpoint): WebhookDetailResponse {
  return {
    ...toWebhookResponse(w),
    format: w.format,
    enabled: w.enabled,
    updated_at: w.updatedAt.toISOString(),
    previous_secret_expires_at: w.previousSecretExpiresAt?.toISOString() ?? null,
  };
}

/** `POST /admin/webhooks`: the one answer that carries the secret. */
export interface CreatedWebhookResponse {
  id: string;
  url: string;
  events: string[];
  format: string;
  enabled: boolean;
  secret: string;
}

export function toCreatedWebhookResponse(
  w: WebhookEndpoint & { secret: string },
): CreatedWebhookResponse {
  return {
    id: w.id,
    url: w.url,
    events: w.events,
    format: w.format,
    enabled: w.enabled,
    secret: w.secret,
  };
}

/** One delivery of `GET /admin/webhooks/:id/deliveries`; `id` is its `webhook-id`. */
export interface WebhookDeliveryResponse {
  id: string;
  event_type: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export function toWebhookDeliveryResponse(d: WebhookDelivery): WebhookDeliveryResponse {
  return {
    id: d.id,
    event_type: d.eventType,
    status: d.status,
    attempts: d.attempts,
    last_status_code: d.lastStatusCode,
    last_error: d.lastError,
    next_attempt_at: d.nextAttemptAt?.toISOString() ?? null,
    created_at: d.createdAt.toISOString(),
    delivered_at: d.deliveredAt?.toISOString() ?? null,
  };
}

export function toWebhookDeliveryPage(page: WebhookDeliveryPage): {
  items: WebhookDeliveryResponse[];
  next_before: string | null;
} {
  return { items: page.items.map(toWebhookDeliveryResponse), next_before: page.nextBefore };
}
