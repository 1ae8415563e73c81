import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { safeEqual } from '@identity/crypto';
import { FederationError, type FederationFailureReason } from './federation.errors';
import { transportFailure } from './provider-http';

export interface IdTokenVerifierOptions {
  jwksUrl: string;
  /** Accepted `iss` values. */
  issuers: string[];
  /** The `aud` the token must name (our client id). */
  clientId: string;
  algorithms: string[];
  timeoutMs: number;
}

/** Seconds of clock difference tolerated on `exp`/`iat`/`nbf`. */
const CLOCK_TOLERANCE_SECONDS = 5;

/**
 * Verifies an ID token from a token response (OIDC Core 3.1.3.7): signature against the
 * provider's JWKS (fetched within the provider timeout, cached, refetched for an unknown
 * `kid`), one of the expected algorithms, `iss`, `aud` (and `azp` when there are several
 * audiences), `exp`, and the `nonce` of this attempt (constant-time).
 */
export class IdTokenVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: IdTokenVerifierOptions) {
    this.jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
      timeoutDuration: options.timeoutMs,
    });
  }

  /** @throws FederationError `federation.failed` with an `id_token_*` (or transport) reason. */
  async verify(idToken: unknown, nonce: string): Promise<JWTPayload & { sub: string }> {
    if (typeof idToken !== 'string' || idToken === '')
      throw FederationError.failed('id_token_missing');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.jwks, {
        issuer: this.options.issuers,
        audience: this.options.clientId,
        algorithms: this.options.algorithms,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      throw FederationError.failed(idTokenFailure(err), err);
    }
    if (
      Array.isArray(payload.aud) &&
      payload.aud.length > 1 &&
      payload.azp !== this.options.clientId
    )
      throw FederationError.failed('id_token_audience');
    if (typeof payload.nonce !== 'string' || !safeEqual(payload.nonce, nonce))
      throw FederationError.failed('id_token_nonce');
    if (typeof payload.sub !== 'string' || payload.sub === '')
      throw FederationError.failed('id_token_invalid');
    return payload as JWTPayload & { sub: string };
  }
}

function idTokenFailure(err: unknown): FederationFailureReason {
  const { code, claim } = (err ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY':
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'id_token_signature';
    case 'ERR_JWT_EXPIRED':
      return 'id_token_expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      return claim === 'iss'
        ? 'id_token_issuer'
        : claim === 'aud'
          ? 'id_token_audience'
          : 'id_token_invalid';
    default:
      return transportFailure(err) ?? 'id_token_invalid';
  }
}
