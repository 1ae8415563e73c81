import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { DeliveryModule } from '@identity/delivery';
import { MfaModule } from '@identity/mfa';
import { PasswordsModule } from '@identity/passwords';
import { ProtectionModule } from '@identity/protection';
import { SessionsModule } from '@identity/sessions';
import { EmailConfirmation } from './email-confirmation';
import { EmailVerificationEntity } from './email-verification.entity';
import { LoginService } from './login.service';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';
import { PasswordRecoveryService } from './password-recovery.service';
import { PasswordResetEntity } from './password-reset.entity';
import { ProfileService } from './profile.service';
import { RegistrationService } from './registration.service';
import { UserEntity } from './user.entity';
import { UserRepository } from './user.repository';

/** Entities of the accounts context, for `DatabaseModule.forRoot({ entities })`. */
export const ACCOUNTS_ENTITIES = [UserEntity, EmailVerificationEntity, PasswordResetEntity];

/**
 * Accounts: registration, email verification, login, password reset and change, the profile.
 * Needs, from global modules: `ConfigModule.forRoot`, `DatabaseModule.forRoot` with
 * {@link ACCOUNTS_ENTITIES} (and the entities of the modules imported here), `KvModule` and
 * `AuditModule` (the `EventBus`).
 */
@Module({
  imports: [
    PasswordsModule,
    DeliveryModule,
    SessionsModule,
    AccessModule,
    ProtectionModule,
    MfaModule,
  ],
  providers: [
    UserRepository,
    EmailVerificationRepository,
    PasswordResetRepository,
    EmailConfirmation,
    RegistrationService,
    PasswordRecoveryService,
    LoginService,
    ProfileService,
  ],
  exports: [
    RegistrationService,
    PasswordRecoveryService,
    LoginService,
    ProfileService,
    UserRepository,
  ],
})
export class AccountsModule {}
