/**
 * `@identity/accounts`: users, registration with email verification, password login, password
 * reset and change, and the signed-in user's profile.
 *
 * Anti-enumeration is built in: registration, resend-verification and forgot-password resolve
 * the same way for known and unknown addresses, and login answers an unknown email and a wrong
 * password with one error after the same argon2 work.
 *
 * @example
 * await registration.register({ email, password }, { ip, userAgent });
 * const result = await login.login({ email, password }, { ip, userAgent });
 * if (result.kind === 'tokens') reply(result.pair);
 */
export { AccountsModule, ACCOUNTS_ENTITIES } from './accounts.module';
export { AccountError, type AccountErrorCode } from './account.errors';
export { canonicalEmail, isValidEmail, normalizeEmail, MAX_EMAIL_LENGTH } from './email';
export { RegistrationService, type RegisterInput } from './registration.service';
export {
  PasswordRecoveryService,
  type ResetPasswordInput,
  type ChangePasswordInput,
} from './password-recovery.service';
export { LoginService, type LoginInput, type LoginResult } from './login.service';
export { ProfileService, type Profile } from './profile.service';
export {
  UserRepository,
  USER_EMAIL_CONSTRAINT,
  type NewUser,
  type UserProfileRow,
} from './user.repository';
export { UserEntity, type UserStatus } from './user.entity';
export { EmailVerificationEntity } from './email-verification.entity';
export { PasswordResetEntity } from './password-reset.entity';
