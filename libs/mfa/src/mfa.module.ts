import { Module } from '@nestjs/common';
import { DeliveryModule } from '@identity/delivery';
import { PasswordsModule } from '@identity/passwords';
import { ProtectionModule } from '@identity/protection';
import { SessionsModule } from '@identity/sessions';
import { CodeConfirmedChange } from './code-confirmed-change';
import { MfaAccountRepository } from './mfa-account.repository';
import { MfaChallengeService } from './mfa-challenge.service';
import { MfaLoginService } from './mfa-login.service';
import { MfaRecoveryCodeEntity } from './mfa-recovery-code.entity';
import { MfaTotpEntity } from './mfa-totp.entity';
import { MfaTotpRepository } from './mfa-totp.repository';
import { PasswordReauth } from './password-reauth';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { RecoveryCodeService } from './recovery-code.service';
import { TotpEnrolmentService } from './totp-enrolment.service';
import { TotpVerifier } from './totp-verifier';

/** Entities of the MFA context, for `DatabaseModule.forRoot({ entities })`. */
export const MFA_ENTITIES = [MfaTotpEntity, MfaRecoveryCodeEntity];

/**
 * TOTP enrolment, recovery codes and the MFA step of login. Needs, from global modules:
 * `ConfigModule.forRoot`, `DatabaseModule.forRoot` with {@link MFA_ENTITIES} (and the sessions,
 * tokens, access, audit and delivery entities), `KvModule` (mfa_tokens, attempt counters) and
 * `AuditModule` (the `EventBus`).
 */
@Module({
  imports: [SessionsModule, PasswordsModule, DeliveryModule, ProtectionModule],
  providers: [
    MfaTotpRepository,
    RecoveryCodeRepository,
    MfaAccountRepository,
    TotpVerifier,
    PasswordReauth,
    CodeConfirmedChange,
    RecoveryCodeService,
    TotpEnrolmentService,
    MfaChallengeService,
    MfaLoginService,
  ],
  exports: [MfaChallengeService, MfaLoginService, TotpEnrolmentService, RecoveryCodeService],
})
export class MfaModule {}
