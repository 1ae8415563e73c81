import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { canonicalRecoveryCode, newRecoveryCodes, RecoveryCodeHasher } from './recovery-codes';
import { RecoveryCodeRepository } from './recovery-code.repository';
import type { Tx } from '@identity/database';

/** Recovery codes: the one-time fallback when the authenticator is lost. */
@Injectable()
export class RecoveryCodeService {
  private readonly hasher: RecoveryCodeHasher;

  constructor(
    private readonly codes: RecoveryCodeRepository,
    @InjectConfig() config: AppConfig,
  ) {
    this.hasher = new RecoveryCodeHasher(config.secrets.keyEncryptionKey);
  }

  /** Stores ten new codes in place of the user's old ones (in `tx`'s transaction). */
  async replace(tx: Tx, userId: string): Promise<string[]> {
    const recoveryCodes = newRecoveryCodes();
    await this.codes.replaceAll(
      {
        userId,
        codeHashes: recoveryCodes.map((code) => this.hasher.hash(userId, canonical(code))),
      },
      tx,
    );
    return recoveryCodes;
  }

  /**
   * Uses one code of the user, atomically (a code works once, however many requests race).
   * @returns the number of unused codes left, or null when the code did not work.
   */
  async use(tx: Tx, input: { userId: string; code: string }): Promise<number | null> {
    const code = canonicalRecoveryCode(input.code);
    if (code === null) return null;
    return this.codes.use(
      { userId: input.userId, codeHash: this.hasher.hash(input.userId, code) },
      tx,
    );
  }

  /** Deletes every code of the user (TOTP turned off). */
  removeAll(tx: Tx, userId: string): Promise<void> {
    return this.codes.removeAll(userId, tx);
  }
}

function canonical(code: string): string {
  const value = canonicalRecoveryCode(code);
  if (value === null) throw new Error('a generated recovery code is not canonical');
  return value;
}
