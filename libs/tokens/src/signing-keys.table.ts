import type { SigningAlg } from '@identity/config';

/**
 * The `signing_keys` table (migrations/1764000000000-initial-schema.ts), for its repository
 * only: one row per key, `kid` the primary key; private parts only sealed.
 */

/**
 * `pending`: published in JWKS, not signing yet (scheduled rotation publishes ahead, so
 * verifiers holding a cached JWKS already know it when it starts signing).
 * `active`: the one key that signs. `retired`: verifies until `verify_until`, then unknown.
 */
export type SigningKeyStatus = 'pending' | 'active' | 'retired';

/** The public members of a signing JWK (EC, RSA or OKP), as stored and published. */
export interface PublicSigningJwk {
  kty: 'EC' | 'RSA' | 'OKP';
  crv?: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
  kid: string;
  alg: SigningAlg;
  use: 'sig';
}

/** A signing key (a row of `signing_keys`). */
export interface StoredSigningKey {
  /** RFC 7638 thumbprint of the public key. */
  kid: string;
  alg: SigningAlg;
  publicJwk: PublicSigningJwk;
  /** The private JWK sealed by `SecretBox` under the key-encryption key, aad = kid. */
  privateKeyEnc: string;
  /** Which key-encryption key sealed `privateKeyEnc` (for a future KEK rotation). */
  kekId: string;
  status: SigningKeyStatus;
  createdAt: Date;
  /** When the key starts (or started) signing; the rotation schedule counts from here. */
  activatesAt: Date;
  retiredAt: Date | null;
  /** Set on retirement: the last moment a token it signed can still be valid. */
  verifyUntil: Date | null;
}

/** Every column, in the order of {@link SigningKeyRow}. */
export const SIGNING_KEY_COLUMNS = `kid, alg, public_jwk, private_key_enc, kek_id, status,
  created_at, activates_at, retired_at, verify_until`;

export interface SigningKeyRow {
  kid: string;
  alg: SigningAlg;
  public_jwk: PublicSigningJwk;
  private_key_enc: string;
  kek_id: string;
  status: SigningKeyStatus;
  created_at: Date;
  activates_at: Date;
  retired_at: Date | null;
  verify_until: Date | null;
}

export function toStoredSigningKey(row: SigningKeyRow): StoredSigningKey {
  return {
    kid: row.kid,
    alg: row.alg,
    publicJwk: row.public_jwk,
    privateKeyEnc: row.private_key_enc,
    kekId: row.kek_id,
    status: row.status,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    retiredAt: row.retired_at,
    verifyUntil: row.verify_until,
  };
}
