import { z } from 'zod';
import { ACTIVITY_EVENT_TYPES } from '@identity/accounts';
import type { AuditPage } from '@identity/audit';
import { WEBHOOK_DELIVERY_STATUSES, WEBHOOK_FORMATS } from '@identity/delivery';
import type { JsonWebKeySet } from '@identity/tokens';
import type { TokenPairBody } from '../auth/token-responder';
import type {
  AdminUserResponse,
  CreatedWebhookResponse,
  RoleResponse,
  WebhookDeliveryResponse,
  WebhookDetailResponse,
  WebhookResponse,
} from '../controllers/admin.mappers';
import type { MeResponse, SessionResponse } from '../controllers/auth.mappers';
import type { ActivityResponse } from '../self-service/self-service.mappers';
import type {
  MfaRequiredResponse,
  RecoveryCodesResponse,
  TotpSetupResponse,
} from '../controllers/mfa.mappers';
import type {
  IdentityResponse,
  LinkResponse,
  ProvidersResponse,
} from '../federation/federation.mappers';
import type { ProblemCode } from '../problem/problem';

/**
 * The response bodies of the REST API as zod schemas, for the OpenAPI document only (requests
 * are documented from the schemas that validate them). Each is written out by hand from its
 * mapper's type, and pinned to it below: a field added to, removed from or retyped in a mapper
 * without its schema here is a type error, so the document cannot drift from the wire.
 */

/** The named schemas: each becomes `#/components/schemas/<id>` of the document. */
export const apiSchemas = z.registry<{ id: string }>();

const dateTime = z.iso.datetime({ offset: true });
const uuid = z.uuid();

export const statusBody = <S extends string>(status: S) => z.object({ status: z.literal(status) });

export const tokenPairResponse = z
  .object({
    access_token: z
      .string()
      .optional()
      .describe('Absent in cookie mode (X-Auth-Transport: cookie)'),
    refresh_token: z.string().optional().describe('Absent in cookie mode'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Seconds the access token lives'),
    refresh_expires_in: z
      .number()
      .int()
      .describe("Seconds left before the family's absolute expiry"),
    session_id: uuid,
  })
  .register(apiSchemas, { id: 'TokenPair' });

export const mfaRequiredResponse = z
  .object({
    mfa_required: z.literal(true),
    mfa_token: z.string().describe('Single use, 300 s; POST /auth/mfa/verify'),
    methods: z.array(z.string()).describe('totp, recovery_code'),
  })
  .register(apiSchemas, { id: 'MfaRequired' });

export const meResponse = z
  .object({
    id: uuid,
    email: z.string(),
    name: z.string().nullable(),
    email_verified: z.boolean(),
    mfa_enabled: z.boolean(),
    roles: z.array(z.string()),
    permissions: z.array(z.string()),
    created_at: dateTime,
  })
  .register(apiSchemas, { id: 'Me' });

export const activityPageResponse = z
  .object({
    items: z.array(
      z.object({
        type: z.enum(ACTIVITY_EVENT_TYPES),
        created_at: dateTime,
        device: z
          .string()
          .nullable()
          .describe('"Chrome on macOS", the name the client gave, or null'),
        ip_hint: z
          .enum(['this_network', 'another_network'])
          .optional()
          .describe('Whether the event came from the network the list is read from; never the IP'),
      }),
    ),
    next_before: z.string().nullable(),
  })
  .register(apiSchemas, { id: 'ActivityPage' });

export const sessionResponse = z
  .object({
    id: uuid,
    device_name: z.string().nullable(),
    user_agent: z.string().nullable(),
    created_at: dateTime,
    last_used_at: dateTime,
    current: z.boolean().describe('The session of the token that asked'),
  })
  .register(apiSchemas, { id: 'Session' });

export const totpSetupResponse = z
  .object({
    secret: z.string().describe('base32'),
    otpauth_url: z.string(),
    qr_code: z.string().describe('data: URL of a PNG'),
  })
  .register(apiSchemas, { id: 'TotpSetup' });

export const recoveryCodesResponse = z
  .object({ recovery_codes: z.array(z.string()).length(10) })
  .register(apiSchemas, { id: 'RecoveryCodes' });

export const jwksResponse = z
  .object({
    keys: z.array(
      z.object({
        kty: z.enum(['EC', 'RSA', 'OKP']),
        crv: z.string().optional(),
        x: z.string().optional(),
        y: z.string().optional(),
        n: z.string().optional(),
        e: z.string().optional(),
        kid: z.string(),
        alg: z.enum(['ES256', 'RS256', 'EdDSA']),
        use: z.literal('sig'),
      }),
    ),
  })
  .register(apiSchemas, { id: 'JsonWebKeySet' });

const checkState = z.enum(['up', 'down', 'in_memory']);
export const healthResponse = z.object({ status: z.literal('ok') });
export const readyResponse = z.object({
  status: z.literal('ready'),
  checks: z.object({ postgres: checkState, redis: checkState }),
});

export const providersResponse = z
  .object({ providers: z.array(z.string()).describe('google, github, and OIDC_NAME when on') })
  .register(apiSchemas, { id: 'Providers' });
export const linkResponse = z
  .object({ provider: z.string(), linked_at: dateTime })
  .register(apiSchemas, { id: 'Link' });
export const identityResponse = z
  .object({
    provider: z.string(),
    email: z.string().nullable(),
    linked_at: dateTime,
    last_used_at: dateTime.nullable(),
  })
  .register(apiSchemas, { id: 'LinkedIdentity' });

export const adminUserResponse = z
  .object({
    id: uuid,
    email: z.string(),
    name: z.string().nullable(),
    status: z.enum(['active', 'locked']),
    email_verified: z.boolean(),
    mfa_enabled: z.boolean(),
    roles: z.array(z.string()),
    created_at: dateTime,
  })
  .register(apiSchemas, { id: 'AdminUser' });
export const userRolesResponse = z.object({ roles: z.array(z.string()) });
export const roleResponse = z
  .object({ name: z.string(), description: z.string(), permissions: z.array(z.string()) })
  .register(apiSchemas, { id: 'Role' });
export const auditPageResponse = z
  .object({
    items: z.array(
      z.object({
        id: z.string().describe('A decimal id; `before` of the next page'),
        type: z.string().describe('An event type (API.md, Webhooks)'),
        user_id: uuid.nullable(),
        created_at: dateTime,
        metadata: z.record(z.string(), z.unknown()).describe('Ids only, never PII or secrets'),
      }),
    ),
    next_before: z.string().nullable(),
  })
  .register(apiSchemas, { id: 'AuditPage' });
export const rotatedKeyResponse = z.object({ kid: z.string() });

const webhookFormat = z.enum(WEBHOOK_FORMATS);
export const webhookResponse = z
  .object({ id: uuid, url: z.string(), events: z.array(z.string()), created_at: dateTime })
  .register(apiSchemas, { id: 'Webhook' });
export const webhookDetailResponse = z
  .object({
    id: uuid,
    url: z.string(),
    events: z.array(z.string()),
    created_at: dateTime,
    format: webhookFormat,
    enabled: z.boolean(),
    updated_at: dateTime,
    previous_secret_expires_at: dateTime.nullable(),
  })
  .register(apiSchemas, { id: 'WebhookDetail' });
export const createdWebhookResponse = z
  .object({
    id: uuid,
    url: z.string(),
    events: z.array(z.string()),
    format: webhookFormat,
    enabled: z.boolean(),
    secret: z.string().describe('whsec_…; shown only in this answer'),
  })
  .register(apiSchemas, { id: 'CreatedWebhook' });
export const secretResponse = z.object({ secret: z.string() });
export const deliveryIdResponse = z.object({ delivery_id: uuid });
export const webhookDeliveryResponse = z
  .object({
    id: uuid.describe('The webhook-id header of every attempt'),
    event_type: z.string(),
    status: z.enum(WEBHOOK_DELIVERY_STATUSES),
    attempts: z.number().int(),
    last_status_code: z.number().int().nullable(),
    last_error: z.string().nullable(),
    next_attempt_at: dateTime.nullable(),
    created_at: dateTime,
    delivered_at: dateTime.nullable(),
  })
  .register(apiSchemas, { id: 'WebhookDelivery' });
export const webhookDeliveryPage = z.object({
  items: z.array(webhookDeliveryResponse),
  next_before: z.string().nullable(),
});

/** RFC 9457 problem details, as every error is answered (API.md, Conventions). */
export const problemResponse = z
  .object({
    type: z.string().describe('urn:identity:problem:<code>'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().describe('The stable machine-readable code (API.md)'),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .describe('One per invalid field (validation_failed, weak_password)'),
  })
  .register(apiSchemas, { id: 'Problem' });

/** The exchange's 409 `account_link_required`: a problem with three extension members. */
export const linkRequiredProblem = problemResponse
  .extend({ link_token: z.string(), provider: z.string(), email: z.string() })
  .register(apiSchemas, { id: 'AccountLinkRequired' });

/** Readiness when not ready: a problem with what failed. */
export const notReadyProblem = problemResponse
  .extend({
    failed: z.array(z.string()),
    checks: z.object({ postgres: checkState, redis: checkState }),
    degraded: z.array(z.literal('rate_limits')).optional(),
  })
  .register(apiSchemas, { id: 'NotReady' });

// --- Pinned to the mappers' types: the wire and the document cannot disagree. ---------------

/** True when A and B are the same type (each assignable to the other). */
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** The schema may be narrower than the mapper's type (an enum for a string), never wider. */
type Narrows<Schema, Wire> = [Schema] extends [Wire] ? Exact<keyof Schema, keyof Wire> : false;

type Out<S extends z.ZodType> = z.output<S>;

export const pinned = {
  tokenPair: true satisfies Exact<Out<typeof tokenPairResponse>, TokenPairBody>,
  mfaRequired: true satisfies Exact<Out<typeof mfaRequiredResponse>, MfaRequiredResponse>,
  me: true satisfies Exact<Out<typeof meResponse>, MeResponse>,
  activityPage: true satisfies Narrows<Out<typeof activityPageResponse>, ActivityResponse>,
  session: true satisfies Exact<Out<typeof sessionResponse>, SessionResponse>,
  totpSetup: true satisfies Exact<Out<typeof totpSetupResponse>, TotpSetupResponse>,
  recoveryCodes: true satisfies Exact<Out<typeof recoveryCodesResponse>, RecoveryCodesResponse>,
  jwks: true satisfies Exact<Out<typeof jwksResponse>, JsonWebKeySet>,
  providers: true satisfies Exact<Out<typeof providersResponse>, ProvidersResponse>,
  link: true satisfies Exact<Out<typeof linkResponse>, LinkResponse>,
  identity: true satisfies Exact<Out<typeof identityResponse>, IdentityResponse>,
  adminUser: true satisfies Exact<Out<typeof adminUserResponse>, AdminUserResponse>,
  role: true satisfies Exact<Out<typeof roleResponse>, RoleResponse>,
  auditPage: true satisfies Exact<keyof Out<typeof auditPageResponse>, keyof AuditPage>,
  auditItem: true satisfies Exact<
    keyof Out<typeof auditPageResponse>['items'][number],
    keyof AuditPage['items'][number]
  >,
  webhook: true satisfies Exact<Out<typeof webhookResponse>, WebhookResponse>,
  webhookDetail: true satisfies Narrows<Out<typeof webhookDetailResponse>, WebhookDetailResponse>,
  createdWebhook: true satisfies Narrows<
    Out<typeof createdWebhookResponse>,
    CreatedWebhookResponse
  >,
  webhookDelivery: true satisfies Narrows<
    Out<typeof webhookDeliveryResponse>,
    WebhookDeliveryResponse
  >,
  problemCode: true satisfies [ProblemCode] extends [Out<typeof problemResponse>['code']]
    ? true
    : false,
};
