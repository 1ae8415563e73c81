export { PasswordsModule } from './passwords.module';
export {
  PasswordHasher,
  type PasswordHash,
  type PasswordHashingLoad,
  type PasswordVerification,
  type PasswordVerificationInput,
} from './password-hasher';
export {
  PasswordPolicy,
  MAX_PASSWORD_LENGTH,
  type PolicyContext,
  type PolicyRule,
  type PolicyViolation,
} from './password-policy';
export { BreachedPasswordChecker } from './breached-password.checker';
export {
  WeakPasswordError,
  PasswordHashingOverloadedError,
  type PasswordsErrorCode,
} from './passwords.errors';
