/**
 * `@identity/tokens`: the signing key set (rotation, JWKS), access-token mint/verify, the
 * access-token denylist, and the one `authenticate()` every transport calls.
 */
export { TokensModule } from './tokens.module';
export {
  SigningKeyService,
  CLOCK_LEEWAY_SECONDS,
  type RotationReason,
  type JsonWebKeySet,
} from './signing-key.service';
export type { SigningKey, VerificationKey } from './signing-key.ring';
export type { PublicSigningJwk, SigningKeyStatus } from './signing-keys.table';
export {
  AccessTokenService,
  ACCESS_TOKEN_TYP,
  type AccessTokenClaims,
  type MintAccessTokenInput,
  type MintedAccessToken,
  type TokenRejection,
  type VerifyResult,
} from './access-token.service';
export { AccessDenylist, type DenylistRebuilt } from './access-denylist';
export { DenylistRecovery } from './denylist-recovery';
export { RevocationSource, type RevokedSessionEntry } from './revocation-source';
export {
  Authenticator,
  type AuthResult,
  type AuthRejection,
  type Principal,
} from './authenticator';
export { TokensError, type TokensErrorCode } from './token.errors';
