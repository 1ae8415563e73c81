import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
} from 'jose';
import type { SigningAlg } from '@identity/config';
import type { SecretBox } from '@identity/crypto';
import type { PublicSigningJwk, StoredSigningKey } from './signing-keys.table';
import { TokensError } from './token.errors';

/** A freshly generated key pair, ready to store: the private part is already sealed. */
export interface NewSigningKey {
  kid: string;
  alg: SigningAlg;
  publicJwk: PublicSigningJwk;
  privateKeyEnc: string;
  kekId: string;
}

/**
 * Generates a key pair for `alg` (ES256 on P-256, RS256 with 2048 bits, EdDSA on Ed25519).
 * The kid is the RFC 7638 thumbprint, so it names the key material itself. The private JWK is
 * sealed with `box` and bound to the kid (aad): copied onto another row it no longer opens.
 */
export async function generateSigningKey(alg: SigningAlg, box: SecretBox): Promise<NewSigningKey> {
  const pair = await generateKeyPair(alg, {
    extractable: true,
    ...(alg === 'RS256' ? { modulusLength: 2048 } : {}),
  });
  const publicMembers = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(publicMembers, 'sha256');
  const privateJwk = await exportJWK(pair.privateKey);
  return {
    kid,
    alg,
    publicJwk: toPublicSigningJwk(publicMembers, kid, alg),
    privateKeyEnc: box.encrypt(JSON.stringify(privateJwk), kid),
    kekId: box.kekId,
  };
}

/**
 * Keeps only the public members of a JWK (an allow-list, so a private member can never reach
 * JWKS, whatever the input carried) and labels it with kid, alg and `use: 'sig'`.
 */
export function toPublicSigningJwk(jwk: JWK, kid: string, alg: SigningAlg): PublicSigningJwk {
  const { kty, crv, x, y, n, e } = jwk;
  if (!isSigningKty(kty)) throw new TypeError(`unsupported signing key type ${String(kty)}`);
  return {
    kty,
    ...(crv === undefined ? {} : { crv }),
    ...(x === undefined ? {} : { x }),
    ...(y === undefined ? {} : { y }),
    ...(n === undefined ? {} : { n }),
    ...(e === undefined ? {} : { e }),
    kid,
    alg,
    use: 'sig',
  };
}

/** Imports a stored public JWK for verification with its key's one algorithm. */
export async function importPublicKey(jwk: PublicSigningJwk): Promise<CryptoKey> {
  return asCryptoKey(await importJWK(toPublicSigningJwk(jwk, jwk.kid, jwk.alg), jwk.alg));
}

/**
 * Opens a stored private key and imports it, non-extractable, for signing.
 * @throws TokensError `tokens.signing_key_unreadable` when it does not open under `box`'s key
 * (another key-encryption key, a tampered ciphertext, or a ciphertext moved from another row).
 */
export async function openPrivateKey(
  row: Pick<StoredSigningKey, 'kid' | 'alg' | 'privateKeyEnc'>,
  box: SecretBox,
): Promise<CryptoKey> {
  let jwk: unknown;
  try {
    jwk = JSON.parse(box.decryptString(row.privateKeyEnc, row.kid));
  } catch (cause) {
    throw new TokensError('tokens.signing_key_unreadable', {
      message: `the private part of signing key ${row.kid} does not open under the configured key-encryption key`,
      cause,
    });
  }
  if (!isPrivateJwk(jwk)) {
    throw new TokensError('tokens.signing_key_unreadable', {
      message: `signing key ${row.kid} holds no private JWK`,
    });
  }
  return asCryptoKey(await importJWK(jwk, row.alg, { extractable: false }));
}

function isSigningKty(kty: string | undefined): kty is PublicSigningJwk['kty'] {
  return kty === 'EC' || kty === 'RSA' || kty === 'OKP';
}

function isPrivateJwk(value: unknown): value is JWK {
  if (typeof value !== 'object' || value === null) return false;
  const jwk = value as Record<string, unknown>;
  return typeof jwk.kty === 'string' && typeof jwk.d === 'string';
}

function asCryptoKey(key: CryptoKey | Uint8Array): CryptoKey {
  // A Uint8Array would be a symmetric ("oct") key: never a valid signing key here.
  if (key instanceof Uint8Array) throw new TypeError('a signing key must be asymmetric');
  return key;
}
