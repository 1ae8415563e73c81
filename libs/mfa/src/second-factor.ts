import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import type { Tx } from '@identity/database';
import { EmailService } from '@identity/delivery';
import type { User } from '@identity/users';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpVerifier } from './totp-verifier';

/** A second factor as a user presents it: a code from the app, or a recovery code. */
export type SecondFactorProof = { code: string } | { recoveryCode: string };

/** The `amr` value of a second factor that passed: `otp` (TOTP) or `rec` (recovery code). */
export type SecondFactorMethod = 'otp' | 'rec';

/**
 * Checks and uses up a second factor: a TOTP code (each time step once per user) or a recovery
 * code (each once). A used recovery code is audited and mailed to the owner with the number
 * of codes left, in the same transaction, so a stolen code cannot be used quietly.
 */
@Injectable()
export class SecondFactor {
  constructor(
    private readonly verifier: TotpVerifier,
    private readonly recoveryCodes: RecoveryCodeService,
    private readonly events: EventBus,
    private readonly mail: EmailService,
  ) {}

  /**
   * In `tx`: uses up the proof if it passes.
   * @returns the method that passed, or null (nothing used) for a wrong, replayed or malformed
   *   code, or when the user has no enabled second factor.
   */
  async verify(
    tx: Tx,
    input: { user: Pick<User, 'id' | 'email' | 'name'>; proof: SecondFactorProof; ipHash?: string },
  ): Promise<SecondFactorMethod | null> {
    const { user, proof } = input;
    if ('code' in proof) {
      const passed = await this.verifier.checkAndConsume(tx, { userId: user.id, code: proof.code });
      return passed ? 'otp' : null;
    }
    const remaining = await this.recoveryCodes.use(tx, {
      userId: user.id,
      code: proof.recoveryCode,
    });
    if (remaining === null) return null;
    await this.events.emit(tx, 'mfa.recovery_code_used', {
      userId: user.id,
      remaining,
      ipHash: input.ipHash,
    });
    await this.mail.queue(tx, {
      template: 'recovery_code_used',
      to: user.email,
      vars: { name: user.name ?? undefined, remaining },
    });
    return 'rec';
  }
}
