import { z } from 'zod';
import type { ProblemCode } from '../problem/problem';
import { verifyEmailQuery } from '../validation/auth.schemas';
import { startQuery as federationStartQuery } from '../federation/federation.controller';
import {
  activityPageResponse,
  adminUserResponse,
  auditPageResponse,
  createdWebhookResponse,
  deliveryIdResponse,
  healthResponse,
  identityResponse,
  jwksResponse,
  linkRequiredProblem,
  linkResponse,
  meResponse,
  mfaRequiredResponse,
  notReadyProblem,
  providersResponse,
  readyResponse,
  recoveryCodesResponse,
  roleResponse,
  rotatedKeyResponse,
  secretResponse,
  sessionResponse,
  statusBody,
  tokenPairResponse,
  totpSetupResponse,
  userRolesResponse,
  webhookDeliveryPage,
  webhookDetailResponse,
  webhookResponse,
} from './response.schemas';

/** One documented success answer. */
export interface ResponseDoc {
  description: string;
  /** The body: a zod schema (JSON), `oneOf` several, or none. */
  schema?: z.ZodType | z.ZodType[];
  /** Default `application/json`. */
  contentType?: string;
  /** Response headers worth a client's attention (name → description). */
  headers?: Record<string, string>;
}

/**
 * What the router cannot say about a route: its summary, its answers, and the error codes
 * it gives beyond those that follow from how it is mounted (validation, authentication,
 * permission, rate limits, dependencies; see `openapi-document.ts`). The error codes are
 * API.md's, per route; `test/e2e/openapi.document.e2e-spec.ts` holds them against its table.
 */
export interface RouteDoc {
  summary: string;
  tag: 'auth' | 'mfa' | 'sessions' | 'federation' | 'admin' | 'keys' | 'ops' | 'web' | 'docs';
  description?: string;
  responses: Record<number, ResponseDoc>;
  errors?: Partial<Record<number, ProblemCode[]>>;
  /** An error status whose body is not the plain problem. */
  errorSchemas?: Partial<Record<number, z.ZodType>>;
  /** A query the handler parses itself (not through a `ZodPipe` parameter). */
  query?: z.ZodObject;
  /** Cookie-authenticated although public (refresh, logout): the CSRF rule applies. */
  cookieCsrf?: boolean;
  /** Answers `overloaded` when the password-hashing queue is full. */
  hashesPasswords?: boolean;
}

const json = (description: string, schema: z.ZodType | z.ZodType[]): ResponseDoc => ({
  description,
  schema,
});
const noContent = (description: string): ResponseDoc => ({ description });
const html = (description: string): ResponseDoc => ({ description, contentType: 'text/html' });
const NO_STORE = { 'Cache-Control': 'no-store' };
/** `{ items: [...] }`, as the admin lists answer. */
const itemsOf = (item: z.ZodType) => z.object({ items: z.array(item) });
const tokens = (extra = ''): ResponseDoc => ({
  description: `A token pair (tokens as cookies instead with X-Auth-Transport: cookie)${extra}`,
  schema: tokenPairResponse,
  headers: NO_STORE,
});

/** Keyed by `METHOD /path` with `{param}` placeholders, as the document names operations. */
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  // --- accounts and sign-in ------------------------------------------------------------------
  'POST /auth/register': {
    summary: 'Register an account (the same answer whether or not the email has one)',
    tag: 'auth',
    responses: { 202: json('Verification mail queued', statusBody('verification_sent')) },
    errors: { 400: ['weak_password'], 429: ['rate_limited'] },
    hashesPasswords: true,
  },
  'GET /auth/verify-email': {
    summary: 'The page of an emailed verification link (asks for the password; never verifies)',
    tag: 'auth',
    query: verifyEmailQuery,
    responses: { 200: html('The confirmation page') },
    errors: { 400: ['token_invalid'] },
  },
  'POST /auth/verify-email': {
    summary: "Verify the email with the link's token and the registration password",
    tag: 'auth',
    responses: { 200: json('Verified', statusBody('verified')) },
    errors: { 400: ['token_invalid'], 401: ['invalid_credentials'], 429: ['too_many_attempts'] },
    hashesPasswords: true,
  },
  'POST /auth/resend-verification': {
    summary: 'Send a new verification link (the same answer for any address)',
    tag: 'auth',
    responses: { 202: json('Accepted', statusBody('accepted')) },
    errors: { 429: ['rate_limited'] },
  },
  'POST /auth/login': {
    summary: 'Sign in with email and password',
    tag: 'auth',
    responses: {
      200: {
        ...tokens(', or the MFA step'),
        schema: [tokenPairResponse, mfaRequiredResponse],
      },
    },
    errors: {
      401: ['invalid_credentials'],
      403: ['email_not_verified', 'account_locked'],
      429: ['too_many_attempts'],
    },
    hashesPasswords: true,
  },
  'POST /auth/refresh': {
    summary: 'Rotate the refresh token (body or cookie) for a new pair',
    tag: 'auth',
    responses: { 200: tokens() },
    errors: { 401: ['refresh_invalid', 'refresh_reused'] },
    cookieCsrf: true,
  },
  'POST /auth/logout': {
    summary: 'End the session (idempotent) and deny its access token',
    tag: 'auth',
    responses: { 204: noContent('Signed out; cookies cleared') },
    cookieCsrf: true,
  },
  'POST /auth/logout-all': {
    summary: "End every session of the token's user",
    tag: 'auth',
    responses: { 204: noContent('Every session revoked') },
  },
  'POST /auth/forgot-password': {
    summary: 'Send a password reset link (the same answer for any address)',
    tag: 'auth',
    responses: { 202: json('Accepted', statusBody('accepted')) },
    errors: { 429: ['rate_limited'] },
  },
  'POST /auth/reset-password': {
    summary: "Set a new password with the link's token; every session is revoked",
    tag: 'auth',
    responses: { 204: noContent('Password set') },
    errors: { 400: ['token_invalid', 'weak_password'] },
    hashesPasswords: true,
  },
  'POST /auth/change-password': {
    summary: 'Change the password; the other sessions are revoked',
    tag: 'auth',
    responses: { 204: noContent('Password changed') },
    errors: {
      400: ['weak_password'],
      401: ['invalid_credentials'],
      429: ['too_many_attempts'],
    },
    hashesPasswords: true,
  },
  'GET /auth/me': {
    summary: 'The signed-in user',
    tag: 'auth',
    responses: { 200: { ...json('The profile', meResponse), headers: NO_STORE } },
  },

  // --- the account's own settings ------------------------------------------------------------
  'PATCH /auth/me': {
    summary: 'Set (or, with null or an empty string, clear) the display name',
    tag: 'auth',
    responses: { 200: { ...json('The profile', meResponse), headers: NO_STORE } },
  },
  'POST /auth/change-email': {
    summary: 'Ask to move the account to a new address (re-enter the password, or a code)',
    tag: 'auth',
    description:
      'A link goes to the new address and the old one is told; nothing changes until the link is confirmed. `code` (an authenticator-app code) only from an account without a password.',
    responses: { 202: json('Link sent', statusBody('confirmation_sent')) },
    errors: { 401: ['invalid_credentials'], 429: ['too_many_attempts', 'rate_limited'] },
    hashesPasswords: true,
  },
  'POST /auth/confirm-email-change': {
    summary: "Move the account to the new address with the link's token",
    tag: 'auth',
    description:
      'The address is verified; every other session is revoked (a browser signed in to the account keeps its own).',
    responses: {
      200: { ...json('The profile with the new email', meResponse), headers: NO_STORE },
    },
    errors: { 400: ['token_invalid'], 409: ['email_taken'] },
  },
  'DELETE /auth/me': {
    summary: 'Delete the account (re-enter the password, or a code)',
    tag: 'auth',
    description:
      'Sessions revoked, personal data erased, audit rows kept with the user id only; cookies cleared.',
    responses: { 204: noContent('Deleted') },
    errors: {
      401: ['invalid_credentials'],
      409: ['last_admin'],
      429: ['too_many_attempts'],
    },
    hashesPasswords: true,
  },
  'GET /auth/me/activity': {
    summary: "The user's own recent security events, newest first (keyset pages)",
    tag: 'auth',
    responses: { 200: { ...json('One page', activityPageResponse), headers: NO_STORE } },
  },

  // --- second factor -------------------------------------------------------------------------
  'POST /auth/mfa/verify': {
    summary: 'Finish a sign-in with a TOTP code or a recovery code',
    tag: 'mfa',
    responses: { 200: tokens() },
    errors: { 401: ['mfa_invalid'], 429: ['too_many_attempts'] },
  },
  'POST /auth/mfa/totp/setup': {
    summary: 'Start TOTP enrolment (re-enter the password)',
    tag: 'mfa',
    responses: {
      200: { ...json('The secret, otpauth URL and QR code', totpSetupResponse), headers: NO_STORE },
    },
    errors: {
      401: ['invalid_credentials'],
      409: ['mfa_already_enabled'],
      429: ['too_many_attempts'],
    },
    hashesPasswords: true,
  },
  'POST /auth/mfa/totp/confirm': {
    summary: 'Confirm enrolment with a first code; answers the recovery codes, once',
    tag: 'mfa',
    responses: { 200: { ...json('Ten recovery codes', recoveryCodesResponse), headers: NO_STORE } },
    errors: { 400: ['mfa_invalid'] },
  },
  'POST /auth/mfa/totp/disable': {
    summary: 'Turn TOTP off (a code or a recovery code; never the password alone)',
    tag: 'mfa',
    responses: { 204: noContent('Second factor off') },
    errors: { 401: ['mfa_invalid'], 429: ['too_many_attempts'] },
  },
  'POST /auth/mfa/recovery-codes': {
    summary: 'New recovery codes (the old ones die)',
    tag: 'mfa',
    responses: { 200: { ...json('Ten recovery codes', recoveryCodesResponse), headers: NO_STORE } },
    errors: { 401: ['mfa_invalid'] },
  },

  // --- sessions ------------------------------------------------------------------------------
  'GET /auth/sessions': {
    summary: "The user's live sessions",
    tag: 'sessions',
    responses: { 200: json('Sessions, `current` marking this one', z.array(sessionResponse)) },
  },
  'DELETE /auth/sessions/{id}': {
    summary: 'Sign one of your sessions out',
    tag: 'sessions',
    responses: { 204: noContent('Revoked') },
    description: "Another user's session answers 404 like a missing one.",
  },

  // --- federated sign-in ---------------------------------------------------------------------
  'GET /auth/oidc': {
    summary: 'The providers that are on (for sign-in buttons)',
    tag: 'federation',
    responses: { 200: json('Provider names', providersResponse) },
  },
  'GET /auth/oidc/{provider}': {
    summary: 'Start a sign-in (or, with intent=link and a session, a link) at a provider',
    tag: 'federation',
    query: federationStartQuery,
    responses: {
      302: {
        description:
          'To the provider (state, PKCE S256, nonce); or back to redirect_to with ?error=',
        headers: { Location: 'Where to go', 'Set-Cookie': 'The sealed state cookie' },
      },
    },
    errors: { 400: ['redirect_not_allowed'], 401: ['unauthorized'], 404: ['not_found'] },
  },
  'GET /auth/oidc/{provider}/callback': {
    summary: "The provider's redirect back",
    tag: 'federation',
    description:
      'Always a redirect to redirect_to: with ?code= (one-time, 60 s) or ?error= one of oidc_failed, oidc_denied, oidc_email_unverified.',
    responses: {
      302: { description: 'Back to redirect_to', headers: { Location: 'Where to go' } },
    },
  },
  'POST /auth/oidc/exchange': {
    summary: "Exchange the callback's one-time code",
    tag: 'federation',
    responses: {
      200: { ...tokens(', or the MFA step'), schema: [tokenPairResponse, mfaRequiredResponse] },
    },
    errors: { 400: ['token_invalid'], 403: ['account_locked'], 409: ['account_link_required'] },
    errorSchemas: { 409: linkRequiredProblem },
  },
  'POST /auth/oidc/link': {
    summary: 'Link the identity of an account_link_required answer to this account',
    tag: 'federation',
    responses: { 200: json('Linked', linkResponse) },
    errors: { 400: ['token_invalid'], 403: ['mfa_required'], 409: ['identity_in_use'] },
  },
  'GET /auth/identities': {
    summary: "The account's linked identities, oldest first",
    tag: 'federation',
    responses: { 200: json('Identities', z.array(identityResponse)) },
  },
  'DELETE /auth/identities/{provider}': {
    summary: 'Unlink the identity of a provider (never the last way in)',
    tag: 'federation',
    responses: { 204: noContent('Unlinked') },
    errors: { 403: ['mfa_required'], 404: ['not_found'], 409: ['last_sign_in_method'] },
  },

  // --- keys and operations -------------------------------------------------------------------
  'GET /.well-known/jwks.json': {
    summary: 'Every public key that may still verify a live access token',
    tag: 'keys',
    responses: {
      200: {
        ...json('The key set', jwksResponse),
        headers: { 'Cache-Control': 'public, max-age=300' },
      },
    },
  },
  'GET /healthz': {
    summary: 'Liveness',
    tag: 'ops',
    responses: { 200: json('The process runs', healthResponse) },
  },
  'GET /readyz': {
    summary: 'Readiness: Postgres and Redis answer, not draining',
    tag: 'ops',
    responses: { 200: json('Ready', readyResponse) },
    errors: { 503: ['unavailable'] },
    errorSchemas: { 503: notReadyProblem },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics (HTTP, security, gRPC, webhooks, outbox, process)',
    description:
      'With METRICS_PORT set, served only on that port (a listener of its own) and 404 here.',
    tag: 'ops',
    responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain' } },
    errors: { 404: ['not_found'] },
  },

  // --- the web UI ----------------------------------------------------------------------------
  'GET /': { summary: 'Web UI: sign-in page', tag: 'web', responses: { 200: html('Page') } },
  'GET /account': { summary: 'Web UI: account page', tag: 'web', responses: { 200: html('Page') } },
  'GET /reset-password': {
    summary: 'Web UI: the page of an emailed reset link',
    tag: 'web',
    responses: { 200: html('Page') },
  },
  'GET /confirm-email-change': {
    summary: 'Web UI: the page of an emailed address-change link',
    tag: 'web',
    responses: { 200: html('Page') },
  },
  'GET /strength.mjs': {
    summary: "Web UI's password strength meter (loaded on first use)",
    tag: 'web',
    responses: { 200: { description: 'Script module', contentType: 'application/javascript' } },
  },
  'GET /favicon.svg': {
    summary: 'Web UI icon',
    tag: 'web',
    responses: { 200: { description: 'Icon', contentType: 'image/svg+xml' } },
  },
  'GET /favicon.ico': {
    summary: 'Web UI icon (the SVG, for browsers that ask for this name)',
    tag: 'web',
    responses: { 200: { description: 'Icon', contentType: 'image/svg+xml' } },
  },
  'GET /vendor/{path}': {
    summary: 'Third-party browser code the web UI loads, from the installed packages',
    tag: 'web',
    responses: { 200: { description: 'Script', contentType: 'application/javascript' } },
    errors: { 404: ['not_found'] },
  },
  'GET /app.js': {
    summary: "Web UI's script",
    tag: 'web',
    responses: { 200: { description: 'Script', contentType: 'application/javascript' } },
  },
  'GET /app.css': {
    summary: "Web UI's style sheet",
    tag: 'web',
    responses: { 200: { description: 'Style sheet', contentType: 'text/css' } },
  },
  'GET /sessions-socket.js': {
    summary: 'Browser helper of the revocation push socket (/sessions namespace)',
    tag: 'web',
    responses: { 200: { description: 'Script', contentType: 'application/javascript' } },
  },
  'GET /openapi.json': {
    summary: 'This document',
    tag: 'docs',
    responses: { 200: { description: 'OpenAPI 3.1', contentType: 'application/json' } },
  },
  'GET /docs': {
    summary: 'This document as a page',
    tag: 'docs',
    responses: { 200: html('Page') },
  },

  // --- administration ------------------------------------------------------------------------
  'GET /admin/users': {
    summary: 'Find users by email',
    tag: 'admin',
    responses: { 200: json('Matches', itemsOf(adminUserResponse)) },
  },
  'GET /admin/users/{id}': {
    summary: 'One user',
    tag: 'admin',
    responses: { 200: json('The user', adminUserResponse) },
  },
  'POST /admin/users/{id}/lock': {
    summary: 'Lock an account: every session revoked at once',
    tag: 'admin',
    responses: { 204: noContent('Locked') },
    errors: { 409: ['last_admin'] },
  },
  'POST /admin/users/{id}/unlock': {
    summary: 'Unlock an account',
    tag: 'admin',
    responses: { 204: noContent('Unlocked') },
  },
  'PUT /admin/users/{id}/roles': {
    summary: "Set a user's roles",
    tag: 'admin',
    responses: { 200: json('The roles now', userRolesResponse) },
    errors: { 409: ['last_admin'] },
  },
  'GET /admin/roles': {
    summary: 'Every role with its permissions',
    tag: 'admin',
    responses: { 200: json('Roles', itemsOf(roleResponse)) },
  },
  'PUT /admin/roles/{name}': {
    summary: 'Create or replace a role',
    tag: 'admin',
    responses: { 200: json('The role', roleResponse) },
  },
  'DELETE /admin/roles/{name}': {
    summary: 'Delete a role (never admin or user, nor one still held)',
    tag: 'admin',
    responses: { 204: noContent('Deleted') },
    errors: { 404: ['not_found'], 409: ['role_in_use'] },
  },
  'GET /admin/audit': {
    summary: 'The audit trail, newest first (keyset pages)',
    tag: 'admin',
    responses: { 200: json('One page', auditPageResponse) },
  },
  'POST /admin/keys/rotate': {
    summary: 'Emergency key rotation: a new key signs at once',
    tag: 'admin',
    responses: { 200: json('The new kid', rotatedKeyResponse) },
  },
  'GET /admin/webhooks': {
    summary: 'Webhook receivers',
    tag: 'admin',
    responses: { 200: json('Receivers', itemsOf(webhookResponse)) },
  },
  'POST /admin/webhooks': {
    summary: 'Register a receiver (the secret is shown only here)',
    tag: 'admin',
    responses: {
      201: { ...json('The receiver and its secret', createdWebhookResponse), headers: NO_STORE },
    },
  },
  'GET /admin/webhooks/{id}': {
    summary: 'One receiver with its settings (never its secret)',
    tag: 'admin',
    responses: { 200: json('The receiver', webhookDetailResponse) },
  },
  'PATCH /admin/webhooks/{id}': {
    summary: "Change a receiver's url, events, format or enabled",
    tag: 'admin',
    responses: { 200: json('The receiver', webhookDetailResponse) },
  },
  'DELETE /admin/webhooks/{id}': {
    summary: 'Delete a receiver (its pending deliveries are dropped)',
    tag: 'admin',
    responses: { 204: noContent('Deleted') },
  },
  'POST /admin/webhooks/{id}/rotate-secret': {
    summary: 'A new secret; the old one signs beside it for 24 h',
    tag: 'admin',
    responses: { 200: { ...json('The new secret', secretResponse), headers: NO_STORE } },
  },
  'POST /admin/webhooks/{id}/test': {
    summary: 'Send a webhook.test event to this receiver only',
    tag: 'admin',
    responses: { 202: json('Queued', deliveryIdResponse) },
    errors: { 409: ['conflict'] },
  },
  'GET /admin/webhooks/{id}/deliveries': {
    summary: "A receiver's deliveries, newest first (keyset pages)",
    tag: 'admin',
    responses: { 200: json('One page', webhookDeliveryPage) },
  },
  'POST /admin/webhooks/{id}/deliveries/{delivery_id}/retry': {
    summary: 'Send a failed or dead delivery again at once (same webhook-id)',
    tag: 'admin',
    responses: { 202: noContent('Queued') },
    errors: { 409: ['conflict'] },
  },
};
