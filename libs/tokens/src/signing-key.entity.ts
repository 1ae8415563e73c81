import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SigningAlg } from '@identity/config';

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

/** A row of `signing_keys` (see migrations/1764000000000-initial-schema.ts). */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  /** RFC 7638 thumbprint of the public key. */
  @PrimaryColumn({ type: 'text' })
  kid!: string;

  @Column({ type: 'text' })
  alg!: SigningAlg;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk!: PublicSigningJwk;

  /** The private JWK sealed by `SecretBox` under the key-encryption key, aad = kid. */
  @Column({ name: 'private_key_enc', type: 'text' })
  privateKeyEnc!: string;

  /** Which key-encryption key sealed `privateKeyEnc` (for a future KEK rotation). */
  @Column({ name: 'kek_id', type: 'text' })
  kekId!: string;

  @Column({ type: 'text' })
  status!: SigningKeyStatus;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** When the key starts (or started) signing; the rotation schedule counts from here. */
  @Column({ name: 'activates_at', type: 'timestamptz' })
  activatesAt!: Date;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  /** Set on retirement: the last moment a token it signed can still be valid. */
  @Column({ name: 'verify_until', type: 'timestamptz', nullable: true })
  verifyUntil!: Date | null;
}
