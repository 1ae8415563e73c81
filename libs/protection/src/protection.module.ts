import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@identity/config';
import { LimitKeys } from './limit-keys';
import { LimiterFactory } from './limiter';
import { LimiterHealth } from './limiter-health';
import { LoginThrottle } from './login-throttle';
import { MailThrottle } from './mail-throttle';
import { MfaThrottle } from './mfa-throttle';
import { ProtectionStatus } from './protection.status';
import { defaultWindows, PROTECTION_WINDOWS } from './protection.windows';
import { RefusalTally } from './refusal-tally';
import { RequestThrottle } from './request-throttle';

/**
 * Rate limits and login lockouts. Needs, from global modules: `ConfigModule.forRoot`,
 * `KvModule` (Redis shares the counters across instances; memory on the embedded default),
 * `DatabaseModule.forRoot` and `AuditModule` (`auth.login.throttled` events).
 */
@Module({
  providers: [
    {
      provide: PROTECTION_WINDOWS,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => defaultWindows(config),
    },
    LimiterHealth,
    RefusalTally,
    LimiterFactory,
    LimitKeys,
    ProtectionStatus,
    LoginThrottle,
    MfaThrottle,
    MailThrottle,
    RequestThrottle,
  ],
  exports: [ProtectionStatus, LoginThrottle, MfaThrottle, MailThrottle, RequestThrottle],
})
export class ProtectionModule {}
