import { DomainError } from '@identity/kernel';

/**
 * How a federated sign-in fails. The HTTP layer maps each code once: `provider_not_found` to
 * 404, `redirect_not_allowed` to 400, the others to `?error=oidc_*` on the return address.
 */
export type FederationErrorCode =
  | 'federation.provider_not_found'
  | 'federation.redirect_not_allowed'
  | 'federation.denied'
  | 'federation.failed'
  | 'federation.email_unverified';

/**
 * The finer reason behind a code, for logs and the audit trail only (never shown to the
 * browser, which learns the code alone).
 */
export type FederationFailureReason =
  | 'provider_unknown'
  | 'redirect_not_allowed'
  | 'access_denied'
  | 'provider_error'
  | 'state_missing'
  | 'state_invalid'
  | 'state_expired'
  | 'state_mismatch'
  | 'state_replayed'
  | 'state_store_unavailable'
  | 'code_missing'
  | 'code_exchange_failed'
  | 'provider_unreachable'
  | 'provider_timeout'
  | 'provider_response_invalid'
  | 'id_token_missing'
  | 'id_token_signature'
  | 'id_token_issuer'
  | 'id_token_audience'
  | 'id_token_nonce'
  | 'id_token_expired'
  | 'id_token_invalid'
  | 'userinfo_mismatch'
  | 'email_unverified'
  | 'link_without_account'
  | 'handler_failed'
  | 'internal';

/** A federated sign-in that did not produce a verified profile (or was refused for it). */
export class FederationError extends DomainError<FederationErrorCode> {
  constructor(
    code: FederationErrorCode,
    /** Where it failed; for logs and the audit trail, never for the browser. */
    readonly reason: FederationFailureReason,
    options: { cause?: unknown } = {},
  ) {
    super(code, { message: `${code} (${reason})`, cause: options.cause });
  }

  /** The round trip failed (`oidc_failed`); `reason` says where. */
  static failed(reason: FederationFailureReason, cause?: unknown): FederationError {
    return new FederationError('federation.failed', reason, { cause });
  }
}
