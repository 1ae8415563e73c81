import { FederationError, type FederationErrorCode } from '@identity/federation';
import { assertUnreachable } from '@identity/kernel';
import { ProblemException } from '../problem/problem';

/** The `?error=` values API.md gives a failed sign-in on its way back to `redirect_to`. */
export type FederationRedirectError = 'oidc_failed' | 'oidc_denied' | 'oidc_email_unverified';

export function redirectErrorOf(code: FederationErrorCode): FederationRedirectError {
  switch (code) {
    case 'federation.denied':
      return 'oidc_denied';
    case 'federation.email_unverified':
      return 'oidc_email_unverified';
    case 'federation.failed':
    case 'federation.provider_not_found':
    case 'federation.redirect_not_allowed':
      return 'oidc_failed';
    default:
      return assertUnreachable(code, 'federation error code');
  }
}

/** The errors the sign-in routes answer themselves (no return address to go back to yet). */
function problemOf(error: FederationError): ProblemException {
  switch (error.code) {
    case 'federation.provider_not_found':
      return new ProblemException(404, 'not_found', 'No such sign-in provider.');
    case 'federation.redirect_not_allowed':
      return new ProblemException(
        400,
        'redirect_not_allowed',
        'redirect_to must be on APP_URL or an allowed origin.',
      );
    case 'federation.denied':
    case 'federation.failed':
    case 'federation.email_unverified':
      return new ProblemException(400, 'oidc_failed', 'The sign-in failed.');
    default:
      return assertUnreachable(error.code, 'federation error code');
  }
}

/** Runs `fn`, answering a thrown {@link FederationError} as its problem. */
export async function withFederationProblems<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof FederationError ? problemOf(err) : err;
  }
}

/** `target` with one query parameter set (any earlier value of that name replaced). */
export function withParam(target: string, name: string, value: string): string {
  const url = new URL(target);
  url.searchParams.set(name, value);
  return url.href;
}
