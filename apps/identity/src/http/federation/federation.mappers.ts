import type { ExchangeResult, FederatedIdentity } from '@identity/federation';
import { ProblemException } from '../problem/problem';

/** One row of `GET /auth/identities` (API.md), exactly these fields. */
export interface IdentityResponse {
  provider: string;
  email: string | null;
  linked_at: string;
  last_used_at: string | null;
}

export function toIdentityResponse(identity: FederatedIdentity): IdentityResponse {
  return {
    provider: identity.provider,
    email: identity.email,
    linked_at: identity.linkedAt.toISOString(),
    last_used_at: identity.lastUsedAt?.toISOString() ?? null,
  };
}

/** `POST /auth/oidc/link`. */
export interface LinkResponse {
  provider: string;
  linked_at: string;
}

export function toLinkResponse(identity: FederatedIdentity): LinkResponse {
  return { provider: identity.provider, linked_at: identity.linkedAt.toISOString() };
}

/** `GET /auth/oidc`: the providers that are on, for sign-in buttons. */
export interface ProvidersResponse {
  providers: string[];
}

export function toProvidersResponse(names: readonly string[]): ProvidersResponse {
  return { providers: [...names] };
}

/**
 * The exchange's 409 `account_link_required` (API.md): a problem whose extension members are
 * the link token (a credential for the next 10 minutes: never cached), the provider and the
 * email the provider vouched for (the address of the account to sign in to).
 */
export function linkRequiredProblem(
  result: Extract<ExchangeResult, { kind: 'link_required' }>,
): ProblemException {
  return new ProblemException(
    409,
    'account_link_required',
    'An account with this email exists: sign in to it, then link this identity.',
    {
      headers: { 'Cache-Control': 'no-store' },
      extensions: { link_token: result.linkToken, provider: result.provider, email: result.email },
    },
  );
}
