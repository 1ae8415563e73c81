import { Injectable } from '@nestjs/common';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { type AppConfig, InjectConfig } from '@identity/config';
import { randomToken } from '@identity/crypto';
import { CLOCK_LEEWAY_SECONDS, SigningKeyService } from './signing-key.service';
import { Clock } from '@identity/kernel';

/** The `typ` header of access tokens (RFC 9068); any other value is refused. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** The claims of an access token: exactly these, nothing else (no PII). */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  /** User id. */
  sub: string;
  jti: string;
  iat: number;
  nbf: number;
  exp: number;
  /** Session id. */
  sid: string;
  roles: string[];
  /** Authentication methods: `pwd`, `otp`, `rec`. */
  amr: string[];
}

/** Why a token was refused: the `reason` values of the gRPC `VerifyToken` reply. */
export type TokenRejection =
  | 'malformed'
  | 'invalid_signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'audience_mismatch'
  | 'issuer_mismatch';

/** The outcome of {@link AccessTokenService.verify}: the claims, or why the token was refused. */
export type VerifyResult =
  { ok: true; claims: AccessTokenClaims } | { ok: false; reason: TokenRejection };

/** What to put in a new access token. */
export interface MintAccessTokenInput {
  userId: string;
  sessionId: string;
  roles: readonly string[];
  amr: readonly string[];
  /** Default: the configured `JWT_AUDIENCE`. */
  audience?: string;
}

/** A freshly signed access token and what the caller needs to hand it out or deny it later. */
export interface MintedAccessToken {
  /** JWS compact serialization. */
  token: string;
  jti: string;
  expiresAt: Date;
  /** Seconds, for the `expires_in` of the token pair. */
  expiresIn: number;
}

const reject = (reason: TokenRejection): VerifyResult => ({ ok: false, reason });

/**
 * Mints and verifies access tokens (RFC 9068 JWTs). Verification is a hot path: keys come
 * from {@link SigningKeyService}'s memory cache, never from the database.
 */
@Injectable()
export class AccessTokenService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly keys: SigningKeyService,
    private readonly clock: Clock,
  ) {}

  /**
   * Signs a token with the active key.
   * @throws TokensError `tokens.no_signing_key` before the key set has loaded.
   */
  /**
   * Throws what {@link mint} would throw for want of a signing key, without minting: for a
   * caller about to commit something that is only useful with a token minted after it.
   * @throws TokensError when no signing key is loaded.
   */
  assertCanMint(): void {
    this.keys.signingKey();
  }

  async mint(input: MintAccessTokenInput): Promise<MintedAccessToken> {
    const signer = this.keys.signingKey();
    const { issuer, audience, accessTtl } = this.config.jwt;
    const iat = this.clock.nowSeconds();
    const exp = iat + accessTtl;
    const jti = randomToken(16);
    const token = await new SignJWT({
      sid: input.sessionId,
      roles: [...input.roles],
      amr: [...input.amr],
    })
      .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: ACCESS_TOKEN_TYP })
      .setIssuer(issuer)
      .setAudience(input.audience ?? audience)
      .setSubject(input.userId)
      .setJti(jti)
      .setIssuedAt(iat)
      .setNotBefore(iat)
      .setExpirationTime(exp)
      .sign(signer.privateKey);
    return { token, jti, expiresAt: new Date(exp * 1000), expiresIn: accessTtl };
  }

  /**
   * Checks signature, key, algorithm, type, issuer, audience and lifetime. Never throws for a
   * bad token: the reason is in the result. Does not consult the denylist (see
   * `Authenticator`).
   */
  async verify(token: string, options: { audience?: string } = {}): Promise<VerifyResult> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return reject('malformed');
    }
    if (header.typ !== ACCESS_TOKEN_TYP) return reject('malformed');
    const key = typeof header.kid === 'string' ? this.keys.verificationKey(header.kid) : undefined;
    if (!key) return reject('unknown_key');
    // Each key verifies with its own algorithm only: `none`, HS* (with the public key as the
    // HMAC secret) or another asymmetric alg can never pass.
    if (header.alg !== key.alg) return reject('invalid_signature');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.publicKey, {
        algorithms: [key.alg],
        typ: ACCESS_TOKEN_TYP,
        issuer: this.config.jwt.issuer,
        audience: options.audience ?? this.config.jwt.audience,
        clockTolerance: CLOCK_LEEWAY_SECONDS,
        currentDate: this.clock.now(),
        requiredClaims: ['sub', 'jti', 'iat', 'nbf', 'exp'],
        // No token may outlive the TTL (even one minted under an older, longer TTL): the
        // session denylist only lasts that long.
        maxTokenAge: this.config.jwt.accessTtl,
      }));
    } catch (err) {
      return reject(rejectionOf(err));
    }
    const claims = toClaims(payload);
    return claims ? { ok: true, claims } : reject('malformed');
  }
}

/** Maps what jose throws to a rejection; anything unexpected counts as malformed. */
function rejectionOf(err: unknown): TokenRejection {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JWSSignatureVerificationFailed) return 'invalid_signature';
  if (err instanceof errors.JOSEAlgNotAllowed) return 'invalid_signature';
  if (err instanceof errors.JWTClaimValidationFailed && err.reason === 'check_failed') {
    switch (err.claim) {
      case 'nbf':
      case 'iat':
        return 'not_yet_valid';
      case 'aud':
        return 'audience_mismatch';
      case 'iss':
        return 'issuer_mismatch';
      default:
        return 'malformed';
    }
  }
  return 'malformed';
}

/** The claims, when every one has the shape we mint; else undefined (malformed). */
function toClaims(p: JWTPayload): AccessTokenClaims | undefined {
  const { iss, aud, sub, jti, iat, nbf, exp } = p;
  const { sid, roles, amr } = p as Record<string, unknown>;
  if (!isText(iss) || !isText(aud) || !isText(sub) || !isText(jti) || !isText(sid)) {
    return undefined;
  }
  if (typeof iat !== 'number' || typeof nbf !== 'number' || typeof exp !== 'number') {
    return undefined;
  }
  if (!isStringArray(roles) || !isStringArray(amr)) return undefined;
  return { iss, aud, sub, jti, iat, nbf, exp, sid, roles, amr };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
