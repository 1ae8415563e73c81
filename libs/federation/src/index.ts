/**
 * `@identity/federation`: "Continue with Google / GitHub / <OIDC_NAME>". Two layers:
 * - the provider round trip up to a verified profile (`FederatedSignIn`, the providers, the
 *   sealed state), which hands the profile to the `FederatedCallbackHandler` port;
 * - behind the port, the account rules (`FederatedAccountsModule`): identities keyed by
 *   (provider, subject), never by email; one-time exchange codes; the exchange through the
 *   sign-in core (`amr` `fed`, the MFA step); linking only from a session of the account;
 *   takeover of an unverified account by a provider-verified identity; unlinking but never the
 *   last way in.
 * The top of the lib graph: it may use signin, accounts, sessions and users; none uses it.
 *
 * @example
 * FederationModule.forRoot({ handler: FederatedSignInHandler, imports: [FederatedAccountsModule] });
 * const result = await exchange.exchange(code, client); // tokens | mfa_required | link_required
 */
export type { FederatedProfile, CallbackParams, SignInIntent } from './federation.types';
export { SIGN_IN_INTENTS } from './federation.types';
export {
  FederationError,
  type FederationErrorCode,
  type FederationFailureReason,
} from './federation.errors';
export {
  FederatedCallbackHandler,
  type FederatedCallbackInput,
  type FederatedFailureInput,
} from './federated-callback.handler';
export {
  FederatedSignIn,
  type StartOutcome,
  type CallbackOutcome,
} from './federated-sign-in.service';
export { FederationModule, type FederationModuleOptions } from './federation.module';
export { FederationProviders } from './federation-providers';
export { AttemptSeal, ATTEMPT_TTL_SECONDS, type SignInAttempt } from './sign-in-attempt';
export { RedirectPolicy } from './redirect-policy';
export { GOOGLE_SCOPES } from './google.provider';
export { GITHUB_SCOPES } from './github.provider';
export { OIDC_SCOPES } from './oidc.provider';
export { FederatedAccountsModule } from './federated-accounts.module';
export { FederatedSignInHandler, EXCHANGE_CODE_TTL_SECONDS } from './federated-sign-in.handler';
export {
  FederatedExchange,
  type ExchangeResult,
  FEDERATED_AMR,
  LINK_TOKEN_TTL_SECONDS,
} from './federated-exchange.service';
export { IdentityLinks, type AccountSession } from './identity-links.service';
export type { FederatedIdentity } from './federated-identities.table';
export {
  FederatedIdentityError,
  type FederatedIdentityErrorCode,
} from './federated-identity.errors';
