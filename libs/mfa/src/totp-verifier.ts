import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { MfaTotpRepository } from './mfa-totp.repository';
import type { TotpEnrolment } from './mfa.tables';
import { matchTotp } from './totp';
import type { Tx } from '@identity/database';
import { Clock } from '@identity/kernel';

/** A sealed secret, as `mfa_totp` stores it. */
export interface SealedSecret {
  secretEnc: string;
  kekId: string;
}

/**
 * TOTP secrets at rest and the check of a code against them. Secrets are sealed with the
 * key-encryption key (AES-256-GCM) and bound to their row by the aad `mfa_totp:<userId>`, so
 * a sealed secret copied to another user's row does not open.
 */
@Injectable()
export class TotpVerifier {
  private readonly box: SecretBox;

  constructor(
    private readonly totps: MfaTotpRepository,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    this.box = new SecretBox(config.secrets.keyEncryptionKey);
  }

  seal(userId: string, secret: string): SealedSecret {
    return { secretEnc: this.box.encrypt(secret, aad(userId)), kekId: this.box.kekId };
  }

  /** @throws Error when the secret was sealed with another key or for another user. */
  open(enrolment: TotpEnrolment): string {
    return this.box.decryptString(enrolment.secretEnc, aad(enrolment.userId));
  }

  /**
   * Checks `code` against the user's enabled TOTP and, if it matches a step later than the
   * last used one, records that step, in `tx`'s transaction. A code is therefore
   * accepted at most once, even by two concurrent requests (the conditional UPDATE decides).
   * @returns whether the code was accepted.
   */
  async checkAndConsume(tx: Tx, input: { userId: string; code: string }): Promise<boolean> {
    const enrolment = await this.totps.findByUser(input.userId, tx);
    if (!enrolment?.enabled) return false;
    const step = await matchTotp({
      secret: this.open(enrolment),
      code: input.code,
      afterStep: enrolment.lastUsedStep,
      now: this.clock.nowSeconds(),
    });
    if (step === null) return false;
    return this.totps.consumeStep({ userId: input.userId, step }, tx);
  }
}

function aad(userId: string): string {
  return `mfa_totp:${userId}`;
}
