/**
 * `@identity/users`: the `users` table and nothing else reads or writes it. An account's
 * status (active or locked, verified or not), email normalisation, lookups. Every other
 * context (sign-in, accounts, MFA, access, protection, federation, the admin use cases)
 * depends on this one; it depends on `database` only.
 *
 * @example
 * const user = await users.findByEmail(normalizeEmail(input.email));
 * if (user && signInBlocker(user) === 'locked') ...
 */
export { UsersModule } from './users.module';
export { UserRepository, type NewUser, type EmailChangeOutcome } from './user.repository';
export { USER_EMAIL_CONSTRAINT } from './users.table';
export {
  type User,
  type UserStatus,
  type StoredPassword,
  type SignInCandidate,
  type UserProfile,
  type SignInBlocker,
  signInBlocker,
  isLocked,
} from './user';
export { canonicalEmail, isValidEmail, normalizeEmail, MAX_EMAIL_LENGTH } from './email';
