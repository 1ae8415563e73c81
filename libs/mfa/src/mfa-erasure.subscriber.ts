import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { MfaTotpRepository } from './mfa-totp.repository';
import { RecoveryCodeRepository } from './recovery-code.repository';

/**
 * A deleted account keeps no second factor: on `user.deleted`, in the deleting transaction,
 * its TOTP secret and its recovery codes' hashes are deleted.
 */
@Injectable()
export class MfaErasure implements OnModuleInit {
  constructor(
    private readonly bus: EventBus,
    private readonly totps: MfaTotpRepository,
    private readonly recoveryCodes: RecoveryCodeRepository,
  ) {}

  onModuleInit(): void {
    this.bus.onTransaction('user.deleted', async (event, tx) => {
      const { userId } = event.payload;
      if (!userId) return;
      await this.totps.remove(userId, tx);
      await this.recoveryCodes.removeAll(userId, tx);
    });
  }
}
