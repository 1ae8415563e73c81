import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import {
  SIGNING_KEY_COLUMNS,
  type StoredSigningKey,
  type SigningKeyRow,
  toStoredSigningKey,
} from './signing-keys.table';

/**
 * Arbitrary constant (next to the migration lock's): the transaction-scoped advisory lock that
 * serialises every change to the key set across instances.
 */
const KEY_SET_LOCK = 7_413_902_553;

/** Storage of the signing key set (`signing_keys`). */
@Injectable()
export class SigningKeyRepository {
  constructor(private readonly db: Database) {}

  /**
   * Takes the key-set lock until `tx` ends, so concurrent boots and rotations on several
   * instances run one after another and each re-reads what the previous one committed.
   */
  async lockKeySet(tx: Tx): Promise<void> {
    await this.db.execute('SELECT pg_advisory_xact_lock($1)', [KEY_SET_LOCK], tx);
  }

  /** Every key that may sign or verify at `now`: pending, active, retired with time left. */
  async listUsable(now: Date, tx?: Tx): Promise<StoredSigningKey[]> {
    return this.many(
      `WHERE status IN ('pending', 'active') OR (status = 'retired' AND verify_until > $1)
       ORDER BY activates_at`,
      [now],
      tx,
    );
  }

  /** One key, whatever its status. */
  async findByKid(kid: string, tx?: Tx): Promise<StoredSigningKey | null> {
    return (await this.many(`WHERE kid = $1`, [kid], tx))[0] ?? null;
  }

  /** The signing key; the newest one should a bug ever leave two. */
  async findActive(tx?: Tx): Promise<StoredSigningKey | null> {
    return (
      (await this.many(`WHERE status = 'active' ORDER BY activates_at DESC LIMIT 1`, [], tx))[0] ??
      null
    );
  }

  /** The pending key, if one is published (there is at most one). */
  async findPending(tx?: Tx): Promise<StoredSigningKey | null> {
    return (
      (await this.many(`WHERE status = 'pending' ORDER BY activates_at LIMIT 1`, [], tx))[0] ?? null
    );
  }

  /** The earliest pending key whose activation time has come. */
  async findDuePending(now: Date, tx?: Tx): Promise<StoredSigningKey | null> {
    const due = await this.many(
      `WHERE status = 'pending' AND activates_at <= $1 ORDER BY activates_at LIMIT 1`,
      [now],
      tx,
    );
    return due[0] ?? null;
  }

  /** Stores a new key (its private part already sealed). */
  async insert(key: StoredSigningKey, tx?: Tx): Promise<void> {
    await this.db.execute(
      `INSERT INTO signing_keys (${SIGNING_KEY_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        key.kid,
        key.alg,
        key.publicJwk,
        key.privateKeyEnc,
        key.kekId,
        key.status,
        key.createdAt,
        key.activatesAt,
        key.retiredAt,
        key.verifyUntil,
      ],
      tx,
    );
  }

  /** Makes a pending key the signing key. */
  async activate(kid: string, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE signing_keys SET status = 'active' WHERE kid = $1 AND status = 'pending'`,
      [kid],
      tx,
    );
  }

  /** Stops a key signing; it still verifies until `verifyUntil`. */
  async retire(kid: string, at: { retiredAt: Date; verifyUntil: Date }, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE signing_keys SET status = 'retired', retired_at = $2, verify_until = $3
        WHERE kid = $1 AND status IN ('pending', 'active')`,
      [kid, at.retiredAt, at.verifyUntil],
      tx,
    );
  }

  /**
   * Withdraws every pending key at once (one statement). A pending key never signed, so it
   * leaves JWKS immediately: `verify_until` is `at`.
   */
  async withdrawPending(at: Date, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE signing_keys SET status = 'retired', retired_at = $1, verify_until = $1
        WHERE status = 'pending'`,
      [at],
      tx,
    );
  }

  /**
   * Moves the end of a retired key's verification window, e.g. to cut it short once the key
   * is known to be compromised.
   */
  async setVerifyUntil(kid: string, verifyUntil: Date, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE signing_keys SET verify_until = $2 WHERE kid = $1 AND status = 'retired'`,
      [kid, verifyUntil],
      tx,
    );
  }

  private async many(where: string, params: unknown[], tx?: Tx): Promise<StoredSigningKey[]> {
    const rows = await this.db.query<SigningKeyRow>(
      `SELECT ${SIGNING_KEY_COLUMNS} FROM signing_keys ${where}`,
      params,
      tx,
    );
    return rows.map(toStoredSigningKey);
  }
}
