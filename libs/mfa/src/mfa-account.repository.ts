import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Database } from '@identity/database';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What MFA needs to know about an account. */
export interface MfaAccount {
  id: string;
  /** Where mail goes, and the account name in the otpauth URL. */
  email: string;
  name: string | null;
  active: boolean;
  /** Null for an account without a password (federated only). */
  password: { hash: string; pepperVersion: number } | null;
}

interface AccountRow {
  id: string;
  email: string;
  name: string | null;
  status: string;
  password_hash: string | null;
  password_pepper_version: number | null;
}

/**
 * A read-only view of `users` for MFA. The accounts context owns that table and depends on
 * this one (its login asks for the second factor), so MFA cannot import accounts without a
 * cycle; it reads the few columns it needs here instead, and never writes them.
 */
@Injectable()
export class MfaAccountRepository {
  constructor(private readonly db: Database) {}

  /** The account, or null for an unknown or malformed id. */
  async find(userId: string, manager?: EntityManager): Promise<MfaAccount | null> {
    if (!UUID.test(userId)) return null;
    const rows = await (manager ?? this.db.manager).query<AccountRow[]>(
      `SELECT id, email, name, status, password_hash, password_pepper_version
         FROM users WHERE id = $1`,
      [userId],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      id: row.id,
      email: row.email,
      name: row.name,
      active: row.status === 'active',
      password:
        row.password_hash !== null && row.password_pepper_version !== null
          ? { hash: row.password_hash, pepperVersion: row.password_pepper_version }
          : null,
    };
  }
}
