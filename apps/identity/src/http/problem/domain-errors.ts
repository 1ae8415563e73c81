import { AccountError, type AccountErrorCode } from '@identity/accounts';
import { WeakPasswordError } from '@identity/passwords';
import { ThrottledError } from '@identity/protection';
import { SessionError, type SessionErrorCode } from '@identity/sessions';
import { ProblemException } from './problem';

function assertUnreachable(value: never): never {
  throw new Error(`unmapped error code ${String(value)}`);
}

function fromAccount(code: AccountErrorCode): ProblemException {
  switch (code) {
    case 'account.invalid_credentials':
      return new ProblemException(401, 'invalid_credentials', 'Email or password is wrong.');
    case 'account.email_not_verified':
      return new ProblemException(403, 'email_not_verified', 'Verify your email address first.');
    case 'account.locked':
      return new ProblemException(403, 'account_locked', 'This account is locked.');
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

/**
 * Maps the domain errors of the libs to API.md's problems, exhaustively (a new code that is
 * not mapped fails the type check). `passwordField` names the field a weak password came in.
 */
export function toHttpProblem(err: unknown, passwordField = 'password'): unknown {
  if (err instanceof AccountError) return fromAccount(err.code);
  if (err instanceof SessionError) return fromSession(err.code);
  if (err instanceof ThrottledError) return fromThrottle(err);
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
