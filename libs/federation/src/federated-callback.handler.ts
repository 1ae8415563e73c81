import type { ClientContext } from '@identity/sessions';
import type { FederationErrorCode, FederationFailureReason } from './federation.errors';
import type { FederatedProfile, SignInIntent } from './federation.types';

/** What the callback hands the sign-in domain once the provider's answer is verified. */
export interface FederatedCallbackInput {
  profile: FederatedProfile;
  intent: SignInIntent;
  /** With intent `link`: the account whose session started the round trip. */
  accountId?: string;
  client: ClientContext;
}

/** A round trip that failed before a profile existed (the handler never saw it). */
export interface FederatedFailureInput {
  provider: string;
  /** Unknown when the state cookie could not be read. */
  intent?: SignInIntent;
  code: FederationErrorCode;
  reason: FederationFailureReason;
  client: ClientContext;
}

/**
 * The port between the provider protocol (this lib) and the sign-in domain, which implements
 * it: identities keyed by (provider, subject), account creation, linking and takeover rules,
 * one-time exchange codes. Provide the implementation through `FederationModule.forRoot`.
 */
export abstract class FederatedCallbackHandler {
  /**
   * Decides what a verified profile means and returns the one-time code the browser carries
   * back to `redirect_to` (exchanged at `POST /auth/oidc/exchange`).
   * @throws FederationError to refuse with its code (e.g. `federation.email_unverified` when
   *   `profile.emailVerified` is false and the rules need a vouched-for email); any other
   *   error is answered `oidc_failed` (reason `handler_failed`).
   */
  abstract handle(input: FederatedCallbackInput): Promise<{ code: string }>;

  /**
   * Told about every round trip that failed before `handle` could run (denied, forged or
   * replayed state, provider down, bad ID token...), with the internal reason: the place to
   * record `auth.login.failed`. Does nothing unless overridden; its errors are logged only.
   */
  failed(_input: FederatedFailureInput): Promise<void> {
    return Promise.resolve();
  }
}
