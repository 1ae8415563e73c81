import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { DeliveryModule } from '@identity/delivery';
import { MfaModule } from '@identity/mfa';
import { PasswordsModule } from '@identity/passwords';
import { ProtectionModule } from '@identity/protection';
import { SessionsModule } from '@identity/sessions';
import { UsersModule } from '@identity/users';
import { AccountActivityService } from './account-activity.service';
import { AccountDeletionService } from './account-deletion.service';
import { AccountRequestChannel } from './account-request.channel';
import { AccountRequests } from './account-requests';
import { EmailChangeRepository } from './email-change.repository';
import { EmailChangeService } from './email-change.service';
import { EmailConfirmation } from './email-confirmation';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';
import { PasswordRecoveryService } from './password-recovery.service';
import { ProfileService } from './profile.service';
import { ProviderVouchedAccounts } from './provider-vouched-accounts.service';
import { Reauthentication } from './reauthentication';
import { RegistrationService } from './registration.service';

/**
 * Accounts: the self-service use cases over users (registration, email verification, password
 * reset and change, the profile, email change, deletion, the owner's activity). Needs, from global modules: `ConfigModule.forRoot`,
 * `DatabaseModule.forRoot`, `KvModule` and `AuditModule` (the `EventBus`).
 */
@Module({
  imports: [
    PasswordsModule,
    DeliveryModule,
    SessionsModule,
    AccessModule,
    ProtectionModule,
    UsersModule,
    MfaModule,
  ],
  providers: [
    AccountRequests,
    AccountRequestChannel,
    EmailVerificationRepository,
    PasswordResetRepository,
    EmailConfirmation,
    RegistrationService,
    PasswordRecoveryService,
    ProfileService,
    ProviderVouchedAccounts,
    EmailChangeRepository,
    Reauthentication,
    EmailChangeService,
    AccountDeletionService,
    AccountActivityService,
  ],
  exports: [
    RegistrationService,
    PasswordRecoveryService,
    ProfileService,
    ProviderVouchedAccounts,
    EmailChangeService,
    AccountDeletionService,
    AccountActivityService,
  ],
})
export class AccountsModule {}
