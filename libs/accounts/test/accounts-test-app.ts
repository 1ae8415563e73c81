import {
  AccountError,
  PasswordRecoveryService,
  ProfileService,
  RegistrationService,
} from '@identity/accounts';
import { SessionService } from '@identity/sessions';
import { PasswordSignIn, type PasswordSignInInput, type SignInResult } from '@identity/signin';
import type { DataSource } from 'typeorm';
import {
  CLIENT,
  type DomainTestApp,
  type DomainTestAppOptions,
  GOOD_PASSWORD,
  startDomainApp,
  uniqueEmail,
} from '@identity/testing';
import {
  EmailVerificationRepository,
  PasswordResetRepository,
} from '../src/one-time-token.repository';

export { CLIENT, GOOD_PASSWORD, OTHER_GOOD_PASSWORD, uniqueEmail } from '@identity/testing';
export { AccountError };

/** The domain booted for the accounts suites, with this context's services at hand. */
export interface AccountsTestApp extends DomainTestApp {
  registration: RegistrationService;
  recovery: PasswordRecoveryService;
  profile: ProfileService;
  verifications: EmailVerificationRepository;
  resets: PasswordResetRepository;
  sessions: SessionService;
  signIn: PasswordSignIn;
  /** For reading what the code stored (never for set-up: that goes through the factory). */
  dataSource: DataSource;
}

export async function startAccountsApp(options: DomainTestAppOptions): Promise<AccountsTestApp> {
  const app = await startDomainApp(options);
  return {
    ...app,
    registration: app.get(RegistrationService),
    recovery: app.get(PasswordRecoveryService),
    profile: app.get(ProfileService),
    verifications: app.get(EmailVerificationRepository),
    resets: app.get(PasswordResetRepository),
    sessions: app.get(SessionService),
    signIn: app.get(PasswordSignIn),
    dataSource: app.database.dataSource,
  };
}

/** Registers and verifies an account through the real accounts services; returns its id. */
export async function createVerifiedUser(
  app: AccountsTestApp,
  email = uniqueEmail(),
  password = GOOD_PASSWORD,
): Promise<string> {
  await app.registration.register({ email, password }, CLIENT);
  await app.registration.verifyEmail(
    { token: await app.tokenFrom(email, 'verify_email'), password },
    CLIENT,
  );
  const user = await app.users.findByEmail(email.toLowerCase());
  if (!user) throw new Error('registration created no user');
  return user.id;
}

/** Audit rows of one type, oldest first. */
export function auditRows(app: AccountsTestApp, type: string) {
  return app.auditRows(type);
}

/** A sign-in that opened a session at once (no second factor). */
export type TokenLogin = Extract<SignInResult, { kind: 'tokens' }>;

/** Signs in a user who has no second factor; fails when the answer is anything but tokens. */
export async function tokenLogin(
  app: AccountsTestApp,
  input: PasswordSignInInput,
): Promise<TokenLogin> {
  const result = await app.signIn.signIn(input, CLIENT);
  if (result.kind !== 'tokens') throw new Error(`expected tokens, got ${result.kind}`);
  return result;
}
