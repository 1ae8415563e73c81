import { Module } from '@nestjs/common';
import { BreachedPasswordChecker } from './breached-password.checker';
import { PasswordHasher } from './password-hasher';
import { PasswordPolicy } from './password-policy';

/**
 * Password hashing and the new-password policy. Needs `ConfigModule.forRoot(...)` (global)
 * somewhere in the application.
 */
@Module({
  providers: [PasswordHasher, PasswordPolicy, BreachedPasswordChecker],
  exports: [PasswordHasher, PasswordPolicy, BreachedPasswordChecker],
})
export class PasswordsModule {}
