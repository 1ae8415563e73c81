import { Injectable, type OnModuleInit } from '@nestjs/common';
import {
  DeliveryError,
  MailLanguages,
  type OutboxPayload,
  OutboxWorker,
  SealedOutbox,
} from '@identity/delivery';
import { assertUnreachable } from '@identity/kernel';
import { ACCOUNT_REQUEST_KIND, type AccountRequest, isAccountRequest } from './account-requests';
import { PasswordRecoveryService } from './password-recovery.service';
import { RegistrationService } from './registration.service';

/**
 * The outbox channel that carries account requests out: looks the address up and does what
 * the request means for it (create the account or notify its owner, mail a verification or
 * reset link, or nothing). Settled rows are redacted: they held an address and a hash.
 */
@Injectable()
export class AccountRequestChannel implements OnModuleInit {
  constructor(
    private readonly worker: OutboxWorker,
    private readonly outbox: SealedOutbox,
    private readonly registration: RegistrationService,
    private readonly recovery: PasswordRecoveryService,
  ) {}

  onModuleInit(): void {
    this.worker.register(ACCOUNT_REQUEST_KIND, (payload) => this.carryOut(payload), {
      redactWhenSettled: true,
    });
  }

  private async carryOut(payload: OutboxPayload): Promise<void> {
    const request = this.outbox.open(ACCOUNT_REQUEST_KIND, payload);
    if (!isAccountRequest(request)) {
      throw new DeliveryError('delivery.payload_unreadable', {
        message: 'account request has an unknown shape',
      });
    }
    // The mail it causes goes out in the language of the request that asked for it.
    return MailLanguages.run(request.languages ?? [], () => this.complete(request));
  }

  private complete(request: AccountRequest): Promise<void> {
    switch (request.action) {
      case 'register':
        return this.registration.completeRegistration(request);
      case 'resend_verification':
        return this.registration.completeResend(request);
      case 'reset_password':
        return this.recovery.completeForgotPassword(request);
      default:
        return assertUnreachable(request, 'account request');
    }
  }
}
