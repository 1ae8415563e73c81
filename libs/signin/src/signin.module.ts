import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { MfaModule } from '@identity/mfa';
import { PasswordsModule } from '@identity/passwords';
import { ProtectionModule } from '@identity/protection';
import { SessionsModule } from '@identity/sessions';
import { UsersModule } from '@identity/users';
import { MfaStep } from './mfa-step.service';
import { PasswordSignIn } from './password-sign-in.service';
import { SignInCore } from './sign-in.core';

/**
 * The sign-in core and the ways of signing in built on it (password, the MFA step; federation
 * adds its own). Needs, from global modules: `ConfigModule.forRoot`, `DatabaseModule.forRoot`,
 * `KvModule` and `AuditModule`.
 */
@Module({
  imports: [
    UsersModule,
    PasswordsModule,
    SessionsModule,
    MfaModule,
    ProtectionModule,
    AccessModule,
  ],
  providers: [SignInCore, PasswordSignIn, MfaStep],
  exports: [SignInCore, PasswordSignIn, MfaStep],
})
export class SignInModule {}
