import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import {
  type FederatedIdentity,
  type FederatedIdentityRow,
  IDENTITY_COLUMNS,
  toFederatedIdentity,
} from './federated-identities.table';

/** What linking an identity writes. */
export interface NewFederatedIdentity {
  provider: string;
  subject: string;
  userId: string;
  email: string | null;
  linkedAt: Date;
}

/** Storage of linked identities: the only code that reads or writes `federated_identities`. */
@Injectable()
export class FederatedIdentityRepository {
  constructor(private readonly db: Database) {}

  /** The identity (provider, subject), whoever it belongs to; null when nobody linked it. */
  async findBySubject(
    provider: string,
    subject: string,
    tx?: Tx,
  ): Promise<FederatedIdentity | null> {
    const row = await this.db.one<FederatedIdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM federated_identities WHERE provider = $1 AND subject = $2`,
      [provider, subject],
      tx,
    );
    return row && toFederatedIdentity(row);
  }

  /** The account's identities, oldest link first. */
  async listByUser(userId: string, tx?: Tx): Promise<FederatedIdentity[]> {
    const rows = await this.db.query<FederatedIdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM federated_identities WHERE user_id = $1
        ORDER BY linked_at, provider`,
      [userId],
      tx,
    );
    return rows.map(toFederatedIdentity);
  }

  /**
   * The account's identities, locked for the rest of `tx`: two unlinks of one account then run
   * one after the other, so both cannot see "another sign-in method remains" and remove the
   * last two together.
   */
  async lockByUser(userId: string, tx: Tx): Promise<FederatedIdentity[]> {
    const rows = await this.db.query<FederatedIdentityRow>(
      `SELECT ${IDENTITY_COLUMNS} FROM federated_identities WHERE user_id = $1
        ORDER BY linked_at, provider FOR UPDATE`,
      [userId],
      tx,
    );
    return rows.map(toFederatedIdentity);
  }

  /**
   * Links an identity.
   * @throws the unique violation on `IDENTITY_SUBJECT_CONSTRAINT` (linked to an account
   *   already) or `IDENTITY_PROVIDER_PER_USER_CONSTRAINT` (the account has an identity of this
   *   provider); it aborts `tx`.
   */
  async insert(identity: NewFederatedIdentity, tx?: Tx): Promise<FederatedIdentity> {
    const row = await this.db.one<FederatedIdentityRow>(
      `INSERT INTO federated_identities (provider, subject, user_id, email, linked_at)
       VALUES ($1, $2, $3, $4, $5)
       RETURNING ${IDENTITY_COLUMNS}`,
      [identity.provider, identity.subject, identity.userId, identity.email, identity.linkedAt],
      tx,
    );
    if (!row) throw new Error('INSERT INTO federated_identities returned no row');
    return toFederatedIdentity(row);
  }

  /** Records a sign-in through the identity. */
  async touch(id: string, at: Date, tx?: Tx): Promise<void> {
    await this.db.execute(
      `UPDATE federated_identities SET last_used_at = $2 WHERE id = $1`,
      [id, at],
      tx,
    );
  }

  /** Removes the account's identity of `provider`; false when it has none. */
  async deleteByUserAndProvider(userId: string, provider: string, tx?: Tx): Promise<boolean> {
    const { affected } = await this.db.execute(
      `DELETE FROM federated_identities WHERE user_id = $1 AND provider = $2`,
      [userId, provider],
      tx,
    );
    return affected > 0;
  }

  /** Removes every identity of the account (its deletion). */
  async deleteAllOfUser(userId: string, tx?: Tx): Promise<void> {
    await this.db.execute(`DELETE FROM federated_identities WHERE user_id = $1`, [userId], tx);
  }
}
