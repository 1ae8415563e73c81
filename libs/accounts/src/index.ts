/**
 * `@identity/accounts`: the self-service use cases over an account: registration with email
 * verification, password reset and change, the signed-in user's profile (name), a change of
 * address confirmed from the new mailbox, deletion with re-authentication, and the owner's
 * own security activity. Signing in is
 * `@identity/signin`'s; the `users` table is `@identity/users`'.
 *
 * Anti-enumeration is built in: registration, resend-verification and forgot-password resolve
 * the same way for known and unknown addresses.
 *
 * @example
 * await registration.register({ email, password }, { ip, userAgent });
 * await recovery.changePassword({ userId, sessionId, currentPassword, newPassword }, client);
 */
export { AccountsModule } from './accounts.module';
export { AccountError, type AccountErrorCode } from './account.errors';
export { RegistrationService, type RegisterInput } from './registration.service';
export {
  PasswordRecoveryService,
  type ResetPasswordInput,
  type ChangePasswordInput,
} from './password-recovery.service';
export { ProfileService, type Profile } from './profile.service';
export {
  ProviderVouchedAccounts,
  type ProviderVouchedAccountInput,
} from './provider-vouched-accounts.service';
export {
  EmailChangeService,
  type RequestEmailChangeInput,
  type ConfirmEmailChangeInput,
} from './email-change.service';
export { AccountDeletionService, type DeleteAccountInput } from './account-deletion.service';
export {
  AccountActivityService,
  ACTIVITY_EVENT_TYPES,
  ACTIVITY_DEFAULT_LIMIT,
  ACTIVITY_MAX_LIMIT,
  type ActivityEventType,
  type ActivityItem,
  type ActivityPage,
} from './account-activity.service';
export { type ReauthProof } from './reauthentication';
