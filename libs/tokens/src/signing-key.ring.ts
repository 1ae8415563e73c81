import type { CryptoKey } from 'jose';
import type { SigningAlg } from '@identity/config';
import type { PublicSigningJwk, StoredSigningKey, SigningKeyStatus } from './signing-keys.table';
import { importPublicKey } from './signing-key.material';

/** A key as verifiers use it: its one algorithm and its public key, imported once. */
export interface VerificationKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly status: SigningKeyStatus;
  readonly publicKey: CryptoKey;
  readonly jwk: PublicSigningJwk;
  readonly activatesAt: Date;
  /** Null until retired. */
  readonly verifyUntil: Date | null;
}

/** The key that signs, with its private part imported (non-extractable). */
export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  readonly privateKey: CryptoKey;
}

/**
 * An immutable snapshot of the key set. The service swaps whole snapshots, so a reader never
 * sees a half-refreshed set.
 */
export class KeyRing {
  static readonly EMPTY = new KeyRing(new Map(), undefined);

  constructor(
    private readonly keys: ReadonlyMap<string, VerificationKey>,
    readonly signer: SigningKey | undefined,
  ) {}

  /** The key `kid` if it may verify at `nowMs`: pending, active, or retired with time left. */
  verificationKey(kid: string, nowMs: number): VerificationKey | undefined {
    const key = this.keys.get(kid);
    return key && isUsable(key, nowMs) ? key : undefined;
  }

  /** Every key that may verify at `nowMs`, oldest activation first. */
  usable(nowMs: number): VerificationKey[] {
    return [...this.keys.values()].filter((key) => isUsable(key, nowMs));
  }

  /** The signing key's own entry (for its age). */
  activeKey(): VerificationKey | undefined {
    return this.signer ? this.keys.get(this.signer.kid) : undefined;
  }

  pendingKeys(): VerificationKey[] {
    return [...this.keys.values()].filter((key) => key.status === 'pending');
  }

  /**
   * Builds the snapshot for `rows`, reusing what `previous` already imported: a kid names
   * immutable key material, so a public key is imported once per process and the private key
   * is decrypted again only when the signing key changes.
   */
  static async build(
    rows: readonly StoredSigningKey[],
    previous: KeyRing,
    openPrivate: (row: StoredSigningKey) => Promise<CryptoKey>,
  ): Promise<KeyRing> {
    const keys = new Map<string, VerificationKey>();
    for (const row of rows) {
      const known = previous.keys.get(row.kid);
      keys.set(row.kid, {
        kid: row.kid,
        alg: row.alg,
        status: row.status,
        publicKey: known?.publicKey ?? (await importPublicKey(row.publicJwk)),
        jwk: known?.jwk ?? row.publicJwk,
        activatesAt: row.activatesAt,
        verifyUntil: row.verifyUntil,
      });
    }
    const activeRow = newestActive(rows);
    let signer: SigningKey | undefined;
    if (activeRow) {
      signer =
        previous.signer?.kid === activeRow.kid
          ? previous.signer
          : { kid: activeRow.kid, alg: activeRow.alg, privateKey: await openPrivate(activeRow) };
    }
    return new KeyRing(keys, signer);
  }
}

function isUsable(key: VerificationKey, nowMs: number): boolean {
  if (key.status !== 'retired') return true;
  return key.verifyUntil !== null && key.verifyUntil.getTime() > nowMs;
}

function newestActive(rows: readonly StoredSigningKey[]): StoredSigningKey | undefined {
  let newest: StoredSigningKey | undefined;
  for (const row of rows) {
    if (row.status !== 'active') continue;
    if (!newest || row.activatesAt > newest.activatesAt) newest = row;
  }
  return newest;
}
