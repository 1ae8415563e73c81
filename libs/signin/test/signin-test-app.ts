import { SessionService } from '@identity/sessions';
import {
  MfaStep,
  PasswordSignIn,
  type PasswordSignInInput,
  type SignInResult,
} from '@identity/signin';
import {
  CLIENT,
  type DomainTestApp,
  type DomainTestAppOptions,
  startDomainApp,
} from '@identity/testing';

/** The domain booted for the sign-in suites, with the ways of signing in at hand. */
export interface SignInTestApp extends DomainTestApp {
  password: PasswordSignIn;
  mfaStep: MfaStep;
  sessions: SessionService;
}

export async function startSignInApp(options: DomainTestAppOptions): Promise<SignInTestApp> {
  const app = await startDomainApp(options);
  return {
    ...app,
    password: app.get(PasswordSignIn),
    mfaStep: app.get(MfaStep),
    sessions: app.get(SessionService),
  };
}

/** A sign-in that opened a session at once (no second factor). */
export type TokenSignIn = Extract<SignInResult, { kind: 'tokens' }>;

/** Signs in with a password; fails when the answer is anything but tokens. */
export async function tokenSignIn(
  app: SignInTestApp,
  input: PasswordSignInInput,
): Promise<TokenSignIn> {
  const result = await app.password.signIn(input, CLIENT);
  if (result.kind !== 'tokens') throw new Error(`expected tokens, got ${result.kind}`);
  return result;
}
