import { Injectable } from '@nestjs/common';
import { In, LessThanOrEqual, MoreThan, type EntityManager, type Repository } from 'typeorm';
import { Database } from '@identity/database';
import { SigningKeyEntity } from './signing-key.entity';

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
   * Takes the key-set lock until `manager`'s transaction ends, so concurrent boots and
   * rotations on several instances run one after another and each re-reads what the previous
   * one committed. `manager` must belong to a transaction, or the lock is released at once.
   */
  async lockKeySet(manager: EntityManager): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock($1)', [KEY_SET_LOCK]);
  }

  /** Every key that may sign or verify at `now`: pending, active, retired with time left. */
  listUsable(now: Date, manager?: EntityManager): Promise<SigningKeyEntity[]> {
    return this.repo(manager).find({
      where: [
        { status: In(['pending', 'active']) },
        { status: 'retired', verifyUntil: MoreThan(now) },
      ],
      order: { activatesAt: 'ASC' },
    });
  }

  /** One key, whatever its status. */
  findByKid(kid: string, manager?: EntityManager): Promise<SigningKeyEntity | null> {
    return this.repo(manager).findOneBy({ kid });
  }

  /** The signing key; the newest one should a bug ever leave two. */
  findActive(manager?: EntityManager): Promise<SigningKeyEntity | null> {
    return this.repo(manager).findOne({
      where: { status: 'active' },
      order: { activatesAt: 'DESC' },
    });
  }

  /** The pending key, if one is published (there is at most one). */
  findPending(manager?: EntityManager): Promise<SigningKeyEntity | null> {
    return this.repo(manager).findOne({
      where: { status: 'pending' },
      order: { activatesAt: 'ASC' },
    });
  }

  /** The earliest pending key whose activation time has come. */
  findDuePending(now: Date, manager?: EntityManager): Promise<SigningKeyEntity | null> {
    return this.repo(manager).findOne({
      where: { status: 'pending', activatesAt: LessThanOrEqual(now) },
      order: { activatesAt: 'ASC' },
    });
  }

  /** Stores a new key (its private part already sealed). */
  async insert(key: SigningKeyEntity, manager?: EntityManager): Promise<void> {
    await this.repo(manager).insert(key);
  }

  /** Makes a pending key the signing key. */
  async activate(kid: string, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ kid, status: 'pending' }, { status: 'active' });
  }

  /** Stops a key signing; it still verifies until `verifyUntil`. */
  async retire(
    kid: string,
    at: { retiredAt: Date; verifyUntil: Date },
    manager?: EntityManager,
  ): Promise<void> {
    await this.repo(manager).update(
      { kid, status: In(['pending', 'active']) },
      { status: 'retired', retiredAt: at.retiredAt, verifyUntil: at.verifyUntil },
    );
  }

  /**
   * Withdraws every pending key at once (one statement). A pending key never signed, so it
   * leaves JWKS immediately: `verify_until` is `at`.
   */
  async withdrawPending(at: Date, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update(
      { status: 'pending' },
      { status: 'retired', retiredAt: at, verifyUntil: at },
    );
  }

  /**
   * Moves the end of a retired key's verification window, e.g. to cut it short once the key
   * is known to be compromised.
   */
  async setVerifyUntil(kid: string, verifyUntil: Date, manager?: EntityManager): Promise<void> {
    await this.repo(manager).update({ kid, status: 'retired' }, { verifyUntil });
  }

  private repo(manager?: EntityManager): Repository<SigningKeyEntity> {
    return (manager ?? this.db.manager).getRepository(SigningKeyEntity);
  }
}
