import { Module } from '@nestjs/common';
import { DeliveryModule } from '@identity/delivery';
import { PasswordsModule } from '@identity/passwords';
import { ProtectionModule } from '@identity/protection';
import { UsersModule } from '@identity/users';
import { CodeConfirmedChange } from './code-confirmed-change';
import { MfaChallengeService } from './mfa-challenge.service';
import { MfaErasure } from './mfa-erasure.subscriber';
import { MfaTotpRepository } from './mfa-totp.repository';
import { PasswordReauth } from './password-reauth';
import { RecoveryCodeRepository } from './recovery-code.repository';
import { RecoveryCodeService } from './recovery-code.service';
import { SecondFactor } from './second-factor';
import { TotpEnrolmentService } from './totp-enrolment.service';
import { TotpVerifier } from './totp-verifier';

/**
 * TOTP enrolment, recovery codes, the check of a second factor and the MFA challenges of
 * sign-in (the sign-in core runs the MFA step with them). Needs, from global modules:
 * `ConfigModule.forRoot`, `DatabaseModule.forRoot`, `KvModule` (mfa_tokens, attempt counters)
 * and `AuditModule` (the `EventBus`).
 */
@Module({
  imports: [UsersModule, PasswordsModule, DeliveryModule, ProtectionModule],
  providers: [
    MfaTotpRepository,
    RecoveryCodeRepository,
    TotpVerifier,
    PasswordReauth,
    CodeConfirmedChange,
    RecoveryCodeService,
    TotpEnrolmentService,
    MfaChallengeService,
    SecondFactor,
    MfaErasure,
  ],
  exports: [
    MfaChallengeService,
    SecondFactor,
    TotpEnrolmentService,
    RecoveryCodeService,
    CodeConfirmedChange,
  ],
})
export class MfaModule {}
