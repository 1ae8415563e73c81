import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { CodeConfirmedChange } from './code-confirmed-change';
import { canonicalRecoveryCode, newRecoveryCodes, RecoveryCodeHasher } from './recovery-codes';
import { RecoveryCodeRepository } from './recovery-code.repository';
import type { Tx } from '@identity/database';

/** Recovery codes: the one-time fallback when the authenticator is lost. */
@Injectable()
export class RecoveryCodeService {
  private readonly hasher: RecoveryCodeHasher;

  constructor(
    private readonly codes: RecoveryCodeRepository,
    private readonly codeConfirmed: CodeConfirmedChange,
    private readonly events: EventBus,
    @InjectConfig() config: AppConfig,
  ) {
    this.hasher = new RecoveryCodeHasher(config.secrets.keyEncryptionKey);
  }

  /**
   * Replaces the user's codes with ten new ones after a current TOTP code confirms it; the old
   * codes stop working in the same transaction. The new codes are returned once and only their
   * hashes are kept.
   * @throws MfaError `mfa.code_invalid` for a wrong or replayed code, or without enabled TOTP.
   * @throws ThrottledError `protection.too_many_attempts` past the user's MFA budget.
   */
  async regenerate(input: { userId: string; code: string }): Promise<{ recoveryCodes: string[] }> {
    return this.codeConfirmed.run(input, async (tx) => {
      const recoveryCodes = await this.replace(tx, input.userId);
      await this.events.emit(tx, 'mfa.recovery_codes_regenerated', { userId: input.userId });
      return { recoveryCodes };
    });
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
