import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import type { JwksCache } from './jwks-cache';

/** The `typ` of the platform's access tokens (RFC 9068); any other is refused. */
const ACCESS_TOKEN_TYP = 'at+jwt';
/** Longer than any token the platform mints; a bigger one is not worth parsing. */
const MAX_TOKEN_LENGTH = 8_192;

/** The claims of a platform access token (API.md, "Tokens"). */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  jti: string;
  iat: number;
  exp: number;
  roles: string[];
  amr: string[];
}

/** Why a token is refused: the same words as the platform's `VerifyToken` reasons. */
export type TokenRejection =
  | 'malformed'
  | 'invalid_signature'
  | 'unknown_key'
  | 'expired'
  | 'not_yet_valid'
  | 'audience_mismatch'
  | 'issuer_mismatch';

export type LocalVerdict =
  { ok: true; claims: AccessTokenClaims } | { ok: false; reason: TokenRejection };

const reject = (reason: TokenRejection): LocalVerdict => ({ ok: false, reason });

/**
 * Verifies a platform access token without asking the platform: signature with the key its
 * `kid` names, in that key's own algorithm only (`none`, HS* with the public key as secret,
 * or another algorithm never pass), `typ` at+jwt, `iss`, `aud`, `exp` and `nbf` with the
 * configured leeway (at most 5 s). Revocation is not its business (see RevocationList).
 */
export class AccessTokenVerifier {
  constructor(
    private readonly jwks: JwksCache,
    private readonly expected: { issuer: string; audience: string; clockToleranceSeconds: number },
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Never throws for a bad token: the reason is in the verdict.
   * @throws JwksUnavailableError when the key cannot be known (the platform's JWKS is down).
   */
  async verify(token: string): Promise<LocalVerdict> {
    if (token.length > MAX_TOKEN_LENGTH) return reject('malformed');
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return reject('malformed');
    }
    if (header.typ !== ACCESS_TOKEN_TYP || typeof header.kid !== 'string')
      return reject('malformed');
    const key = await this.jwks.key(header.kid);
    if (!key) return reject('unknown_key');
    if (header.alg !== key.alg) return reject('invalid_signature');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, key.key, {
        algorithms: [key.alg],
        typ: ACCESS_TOKEN_TYP,
        issuer: this.expected.issuer,
        audience: this.expected.audience,
        clockTolerance: this.expected.clockToleranceSeconds,
        currentDate: new Date(this.now()),
        requiredClaims: ['sub', 'sid', 'jti', 'iat', 'exp'],
      }));
    } catch (err) {
      return reject(rejectionOf(err));
    }
    const claims = toClaims(payload);
    return claims ? { ok: true, claims } : reject('malformed');
  }
}

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

function toClaims(p: JWTPayload): AccessTokenClaims | undefined {
  const { sub, jti, iat, exp } = p;
  const { sid, roles, amr } = p as Record<string, unknown>;
  if (!isText(sub) || !isText(jti) || !isText(sid)) return undefined;
  if (typeof iat !== 'number' || typeof exp !== 'number') return undefined;
  const roleList = roles === undefined ? [] : roles;
  const amrList = amr === undefined ? [] : amr;
  if (!isStringArray(roleList) || !isStringArray(amrList)) return undefined;
  return { sub, sid, jti, iat, exp, roles: roleList, amr: amrList };
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
