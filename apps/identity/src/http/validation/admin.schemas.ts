import { z } from 'zod';
import { IDENTITY_EVENT_TYPES } from '@identity/audit';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_FORMATS,
} from '@identity/delivery';
import { isUuid } from '@identity/kernel';
import { emailField } from './auth.schemas';
import { pageLimit } from './page-query';

/** `GET /admin/users?email=`. */
export const adminUsersQuery = z.object({ email: emailField }).strict();

/** `PUT /admin/users/:id/roles`. Role names are checked against the roles table. */
export const userRolesBody = z
  .object({
    roles: z
      .array(z.string({ message: 'must be a string' }).min(1).max(64), {
        message: 'must be an array of role names',
      })
      .max(100, 'at most 100 roles'),
  })
  .strict();

/** `PUT /admin/roles/:name`. Permission syntax (`resource:action`) is the domain's rule. */
export const roleBody = z
  .object({
    permissions: z
      .array(z.string({ message: 'must be a string' }).max(129), {
        message: 'must be an array of permissions',
      })
      .max(500, 'at most 500 permissions'),
    description: z.string({ message: 'must be a string' }).trim().max(500).optional(),
  })
  .strict();

/** `GET /admin/audit`: filters that cannot name an entry are refused before any query. */
export const auditQuery = z
  .object({
    user_id: z.string().refine(isUuid, 'must be a UUID').optional(),
    type: z
      .enum(IDENTITY_EVENT_TYPES, { message: 'must be an event type (API.md, Webhooks)' })
      .optional(),
    // A positive bigint: Postgres's bigint tops out at 19 digits.
    before: z
      .string()
      .regex(/^[1-9]\d{0,18}$/, 'must be an audit entry id')
      .optional(),
    limit: pageLimit(200),
  })
  .strict();

/** A receiver's subscriptions: the event types of API.md ("Webhooks"), or `*` for all. */
const webhookEvents = z
  .array(
    z.enum([...WEBHOOK_EVENT_TYPES, '*'], {
      message: 'must be an event type (API.md, Webhooks) or *',
    }),
  )
  .min(1, 'at least one event type')
  .max(WEBHOOK_EVENT_TYPES.length + 1);

const webhookUrl = z.string({ message: 'must be a string' }).trim().min(1).max(2048);
const webhookFormat = z.enum(WEBHOOK_FORMATS, { message: 'must be standard or ocsf' });

/** `POST /admin/webhooks`. The URL's target and the secret's form are the registry's to judge. */
export const webhookBody = z
  .object({
    url: webhookUrl,
    events: webhookEvents,
    secret: z.string({ message: 'must be a string' }).max(200).optional(),
    format: webhookFormat.optional(),
  })
  .strict();

/** `PATCH /admin/webhooks/:id`: any of the four, at least one. */
export const webhookPatchBody = z
  .object({
    url: webhookUrl.optional(),
    events: webhookEvents.optional(),
    enabled: z.boolean({ message: 'must be true or false' }).optional(),
    format: webhookFormat.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'name at least one of url, events, enabled, format',
  });

/** `GET /admin/webhooks/:id/deliveries`. */
export const webhookDeliveriesQuery = z
  .object({
    status: z
      .enum(WEBHOOK_DELIVERY_STATUSES, {
        message: 'must be pending, delivered, failed or dead',
      })
      .optional(),
    before: z.string().refine(isUuid, 'must be a delivery id').optional(),
    limit: pageLimit(200),
  })
  .strict();
