import { DomainError } from '@identity/kernel';

/**
 * Refusals of the federated account rules (after the provider round trip): the exchange, the
 * link and the unlink. Transports map each exhaustively (HTTP: `token_invalid` 400 for both
 * `*_invalid`, `identity_in_use` 409, `not_found` 404, `last_sign_in_method` 409,
 * `mfa_required` 403).
 */
export type FederatedIdentityErrorCode =
  /** An exchange code that is unknown, used or expired (never which). */
  | 'federated_identity.code_invalid'
  /**
   * A link token that is unknown, used, expired, or bound to another account than the
   * session's (never which: a token of someone else's looks like no token at all).
   */
  | 'federated_identity.link_token_invalid'
  /**
   * The identity is linked to another account, or this account already has an identity of
   * that provider.
   */
  | 'federated_identity.identity_in_use'
  /** The account has no identity of that provider. */
  | 'federated_identity.identity_not_found'
  /** Unlinking would leave the account with no way to sign in (no password, no other identity). */
  | 'federated_identity.last_sign_in_method'
  /**
   * The account has a second factor and the session linking a new sign-in method to it did not
   * pass one.
   */
  | 'federated_identity.mfa_required';

/** A refusal of the federated account rules. */
export class FederatedIdentityError extends DomainError<FederatedIdentityErrorCode> {}
