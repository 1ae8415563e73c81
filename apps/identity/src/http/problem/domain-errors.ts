import { AccessError } from '@identity/access';
import { AccountError, type AccountErrorCode } from '@identity/accounts';
import { MfaError, type MfaErrorCode } from '@identity/mfa';
import { PasswordHashingOverloadedError, WeakPasswordError } from '@identity/passwords';
import { ThrottledError } from '@identity/protection';
import { SessionError, type SessionErrorCode } from '@identity/sessions';
import { WebhookEndpointError, type WebhookEndpointErrorCode } from '@identity/delivery';
import { FederatedIdentityError, type FederatedIdentityErrorCode } from '@identity/federation';
import { SignInError, type SignInErrorCode } from '@identity/signin';
import { AdminError, type AdminErrorCode } from '../../admin/admin.errors';
import { ProblemException } from './problem';
import { assertUnreachable } from '@identity/kernel';

function fromAccount(code: AccountErrorCode): ProblemException {
  switch (code) {
    case 'account.invalid_credentials':
      return new ProblemException(401, 'invalid_credentials', 'The password or code is wrong.');
    case 'account.token_invalid':
      return new ProblemException(400, 'token_invalid', 'The link is invalid, used or expired.');
    case 'account.invalid_email':
      return new ProblemException(400, 'validation_failed', 'The request has invalid fields.', {
        errors: [{ field: 'email', message: 'must be a valid email address' }],
      });
    case 'account.not_found':
      return new ProblemException(401, 'unauthorized', 'A valid access token is required.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    case 'account.email_taken':
      return new ProblemException(
        409,
        'email_taken',
        'Another account already uses this email address.',
      );
    default:
      return assertUnreachable(code);
  }
}

function fromSignIn(code: SignInErrorCode): ProblemException {
  switch (code) {
    case 'signin.invalid_credentials':
      return new ProblemException(401, 'invalid_credentials', 'Email or password is wrong.');
    case 'signin.email_not_verified':
      return new ProblemException(403, 'email_not_verified', 'Verify your email address first.');
    case 'signin.account_locked':
      return new ProblemException(403, 'account_locked', 'This account is locked.');
    case 'signin.mfa_invalid':
      return new ProblemException(
        401,
        'mfa_invalid',
        'The code or the mfa_token is invalid, used or expired.',
      );
    default:
      return assertUnreachable(code);
  }
}

function fromAdmin(code: AdminErrorCode): ProblemException {
  switch (code) {
    case 'admin.user_not_found':
      return new ProblemException(404, 'not_found', 'No such user.');
    case 'admin.email_not_verified':
      return new ProblemException(
        409,
        'conflict',
        'The account has not verified its email; admin is never granted before that.',
      );
    default:
      return assertUnreachable(code);
  }
}

function fromSession(code: SessionErrorCode): ProblemException {
  switch (code) {
    case 'session.refresh_invalid':
      return new ProblemException(
        401,
        'refresh_invalid',
        'The refresh token is invalid or expired.',
      );
    case 'session.refresh_reused':
      return new ProblemException(
        401,
        'refresh_reused',
        'The refresh token was already used; the session is revoked.',
      );
    case 'session.not_found':
      return new ProblemException(404, 'not_found', 'No such session.');
    default:
      return assertUnreachable(code);
  }
}

function fromMfa(code: MfaErrorCode): ProblemException {
  switch (code) {
    case 'mfa.code_invalid':
      return new ProblemException(
        401,
        'mfa_invalid',
        'The code or the mfa_token is invalid, used or expired.',
      );
    case 'mfa.confirmation_invalid':
      return new ProblemException(
        400,
        'mfa_invalid',
        'The code does not match the pending enrolment.',
      );
    case 'mfa.already_enabled':
      return new ProblemException(
        409,
        'mfa_already_enabled',
        'Two-factor authentication is already on.',
      );
    case 'mfa.password_invalid':
      return new ProblemException(401, 'invalid_credentials', 'The password is wrong.');
    case 'mfa.account_not_found':
      return new ProblemException(401, 'unauthorized', 'A valid access token is required.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    default:
      return assertUnreachable(code);
  }
}

function fromThrottle(err: ThrottledError): ProblemException {
  const headers = { 'Retry-After': String(err.retryAfterSeconds) };
  switch (err.code) {
    case 'protection.too_many_attempts':
      return new ProblemException(429, 'too_many_attempts', 'Too many attempts; try again later.', {
        headers,
      });
    case 'protection.rate_limited':
      return new ProblemException(429, 'rate_limited', 'Too many requests; try again later.', {
        headers,
      });
    default:
      return assertUnreachable(err.code);
  }
}

function fromAccess(err: AccessError): ProblemException {
  const invalid = (field: string, message: string) =>
    new ProblemException(400, 'validation_failed', 'The request has invalid fields.', {
      errors: [{ field, message }],
    });
  const { code, details } = err;
  switch (code) {
    case 'access.user_not_found':
      return new ProblemException(404, 'not_found', 'No such user.');
    case 'access.role_not_found':
      return new ProblemException(404, 'not_found', 'No such role.');
    case 'access.role_in_use':
      return new ProblemException(
        409,
        'role_in_use',
        'This role is built in or still held by users; it cannot be deleted.',
      );
    case 'access.unknown_role':
      return invalid('roles', `unknown roles: ${details.join(', ')}`);
    case 'access.invalid_role_name':
      return invalid('name', 'must match ^[a-z][a-z0-9_.-]{0,63}$');
    case 'access.invalid_permission':
      return invalid('permissions', `not resource:action: ${details.join(', ')}`);
    case 'access.admin_permission_required':
      return invalid('permissions', 'the admin role must keep identity:admin');
    case 'access.last_admin':
      return new ProblemException(
        409,
        'last_admin',
        'No unlocked administrator would remain; give another account the admin role first.',
      );
    default:
      return assertUnreachable(code);
  }
}

function fromWebhook(code: WebhookEndpointErrorCode): ProblemException {
  const invalid = (field: string, message: string) =>
    new ProblemException(400, 'validation_failed', 'The request has invalid fields.', {
      errors: [{ field, message }],
    });
  switch (code) {
    case 'webhook.invalid_url':
      return invalid('url', 'must be an absolute http(s) URL without credentials or fragment');
    case 'webhook.private_target':
      return invalid('url', 'must resolve to public addresses only (WEBHOOK_ALLOW_PRIVATE)');
    case 'webhook.invalid_secret':
      return invalid('secret', 'must be whsec_ followed by canonical base64 of 24 to 64 bytes');
    case 'webhook.not_found':
      return new ProblemException(404, 'not_found', 'No such webhook.');
    case 'webhook.delivery_not_found':
      return new ProblemException(404, 'not_found', 'No such delivery of this webhook.');
    case 'webhook.already_delivered':
      return new ProblemException(
        409,
        'conflict',
        'This delivery was delivered; only failed or dead deliveries are sent again.',
      );
    case 'webhook.disabled':
      return new ProblemException(
        409,
        'conflict',
        'This webhook is disabled; enable it to send a test event.',
      );
    default:
      return assertUnreachable(code);
  }
}

function fromFederatedIdentity(code: FederatedIdentityErrorCode): ProblemException {
  switch (code) {
    case 'federated_identity.code_invalid':
      return new ProblemException(400, 'token_invalid', 'The code is invalid, used or expired.');
    case 'federated_identity.link_token_invalid':
      return new ProblemException(
        400,
        'token_invalid',
        'The link token is invalid, used or expired.',
      );
    case 'federated_identity.identity_in_use':
      return new ProblemException(
        409,
        'identity_in_use',
        'This identity is linked to another account, or this account already has one of this provider.',
      );
    case 'federated_identity.identity_not_found':
      return new ProblemException(404, 'not_found', 'No identity of this provider is linked.');
    case 'federated_identity.last_sign_in_method':
      return new ProblemException(
        409,
        'last_sign_in_method',
        'This is the only way to sign in to the account: set a password or link another identity first.',
      );
    case 'federated_identity.mfa_required':
      return new ProblemException(
        403,
        'mfa_required',
        "Linking needs a session signed in with the account's second factor.",
      );
    default:
      return assertUnreachable(code);
  }
}

/** Password hashing is saturated: 503 at once, with when to come back. */
function fromHashingOverload(err: PasswordHashingOverloadedError): ProblemException {
  return new ProblemException(503, 'overloaded', 'The service is busy; try again shortly.', {
    headers: { 'Retry-After': String(err.retryAfterSeconds) },
  });
}

/**
 * Maps the domain errors of the libs to API.md's problems, exhaustively (a new code that is
 * not mapped fails the type check). `passwordField` names the field a weak password came in.
 */
export function toHttpProblem(err: unknown, passwordField = 'password'): unknown {
  if (err instanceof SignInError) return fromSignIn(err.code);
  if (err instanceof AccountError) return fromAccount(err.code);
  if (err instanceof AdminError) return fromAdmin(err.code);
  if (err instanceof SessionError) return fromSession(err.code);
  if (err instanceof AccessError) return fromAccess(err);
  if (err instanceof WebhookEndpointError) return fromWebhook(err.code);
  if (err instanceof ThrottledError) return fromThrottle(err);
  if (err instanceof MfaError) return fromMfa(err.code);
  if (err instanceof FederatedIdentityError) return fromFederatedIdentity(err.code);
  if (err instanceof PasswordHashingOverloadedError) return fromHashingOverload(err);
  if (err instanceof WeakPasswordError) {
    return new ProblemException(400, 'weak_password', 'The password is too weak.', {
      errors: err.violations.map((v) => ({ field: passwordField, message: v.message })),
    });
  }
  return err;
}

/** Runs `fn`, turning domain errors into problems that name `passwordField` for weak passwords. */
export async function withProblemMapping<T>(
  passwordField: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toHttpProblem(err, passwordField);
  }
}
