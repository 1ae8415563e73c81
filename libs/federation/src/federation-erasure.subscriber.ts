import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { FederatedIdentityRepository } from './federated-identity.repository';
import { FederationCodeRepository } from './federation-code.repository';

/**
 * A deleted account signs in through no provider any more: on `user.deleted`, in the deleting
 * transaction, its linked identities (the provider's subject and the address it vouched for
 * are personal data) and its pending codes and link tokens are deleted. The identity can then
 * sign up again as a new account, like any stranger.
 */
@Injectable()
export class FederationErasure implements OnModuleInit {
  constructor(
    private readonly bus: EventBus,
    private readonly identities: FederatedIdentityRepository,
    private readonly codes: FederationCodeRepository,
  ) {}

  onModuleInit(): void {
    this.bus.onTransaction('user.deleted', async (event, tx) => {
      const { userId } = event.payload;
      if (!userId) return;
      await this.identities.deleteAllOfUser(userId, tx);
      await this.codes.deleteAllOfUser(userId, tx);
    });
  }
}
