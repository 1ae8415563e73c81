import { Injectable } from '@nestjs/common';
import { hashToken, MAX_PRESENTED_TOKEN_LENGTH, randomToken } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { Clock } from '@identity/kernel';
import {
  CODE_COLUMNS,
  type FederationCode,
  type FederationCodeKind,
  type FederationCodeRow,
  toFederationCode,
} from './federation-codes.table';

/** What a new code is bound to. */
export interface IssueCodeInput {
  kind: FederationCodeKind;
  userId: string;
  provider: string;
  subject: string;
  email: string | null;
  ttlSeconds: number;
}

/**
 * One-time codes of federated sign-in (exchange codes and link tokens). The plain value (256
 * random bits, base64url) leaves only in the answer that hands it out; the table holds its
 * SHA-256, so a copy of the database yields nothing that can be presented.
 */
@Injectable()
export class FederationCodeRepository {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Stores a new code and returns its plain value; expired codes of anyone are swept first. */
  async issue(input: IssueCodeInput, tx?: Tx): Promise<string> {
    const now = this.clock.now();
    await this.db.execute(`DELETE FROM federation_codes WHERE expires_at <= $1`, [now], tx);
    const code = randomToken(32);
    await this.db.execute(
      `INSERT INTO federation_codes (code_hash, ${CODE_COLUMNS})
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        hashToken(code),
        input.kind,
        input.userId,
        input.provider,
        input.subject,
        input.email,
        now,
        this.clock.after(input.ttlSeconds),
      ],
      tx,
    );
    return code;
  }

  /**
   * Uses a code up and returns what it completes, or null when it is unknown, used, expired,
   * of another kind, or (with `userId`) bound to another account; a code that does not match
   * is left alone. One `DELETE ... RETURNING`: of any number of racing requests, exactly one
   * gets the row.
   */
  async take(
    code: string,
    match: { kinds: readonly FederationCodeKind[]; userId?: string },
    tx?: Tx,
  ): Promise<FederationCode | null> {
    // Longer than anything issued: not worth a lookup.
    if (code.length === 0 || code.length > MAX_PRESENTED_TOKEN_LENGTH) return null;
    const row = await this.db.one<FederationCodeRow>(
      `DELETE FROM federation_codes
        WHERE code_hash = $1 AND kind = ANY($2::text[]) AND expires_at > $3
          AND ($4::uuid IS NULL OR user_id = $4::uuid)
       RETURNING ${CODE_COLUMNS}`,
      [hashToken(code), [...match.kinds], this.clock.now(), match.userId ?? null],
      tx,
    );
    return row && toFederationCode(row);
  }

  /** Removes every code bound to the account (its deletion). */
  async deleteAllOfUser(userId: string, tx?: Tx): Promise<void> {
    await this.db.execute(`DELETE FROM federation_codes WHERE user_id = $1`, [userId], tx);
  }
}
