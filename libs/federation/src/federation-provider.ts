import type { CallbackParams, FederatedProfile } from './federation.types';
import type { SignInAttempt } from './sign-in-attempt';

/** The random values of one attempt that go to the provider in the authorization request. */
export interface AuthorizationSeed {
  state: string;
  nonce: string;
}

/** One configured identity provider: the browser round trip, up to a verified profile. */
export interface FederationProvider {
  /** `google`, `github` or OIDC_NAME: the `:provider` of the routes. */
  readonly name: string;
  /**
   * The authorization URL (with `state`, PKCE S256 challenge and, for OIDC, `nonce`) and the
   * PKCE verifier to keep for the callback.
   * @throws FederationError when the provider cannot be reached (generic OIDC discovery).
   */
  authorize(seed: AuthorizationSeed): Promise<{ url: string; verifier: string }>;
  /**
   * Exchanges the code (with the verifier) and verifies what comes back. The caller has
   * already checked `state` against the attempt and handled `error=`.
   * @throws FederationError for every way the exchange or a check fails.
   */
  verify(params: CallbackParams, attempt: SignInAttempt): Promise<FederatedProfile>;
}

/** Provider requests of one round trip (token, profile, keys) together stay under this. */
export const roundTripDeadline = (timeoutMs: number): number => timeoutMs * 4;
