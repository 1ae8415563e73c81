/**
 * `@identity/signin`: the sign-in core. Every way of signing in (password, the MFA step,
 * federated providers) finishes through {@link SignInCore.complete} (session opened, tokens
 * minted, `auth.login.succeeded` emitted) or is refused through {@link SignInCore.refuse}
 * (`auth.login.failed`, then a `SignInError`). Anti-enumeration is built in: an unknown email
 * and a wrong password are one refusal after the same argon2 work.
 *
 * @example
 * const result = await passwordSignIn.signIn({ email, password }, { ip, userAgent });
 * if (result.kind === 'mfa_required') reply(result.mfaToken);
 * else reply(result.pair);
 */
export { SignInModule } from './signin.module';
export {
  SignInCore,
  type SignInResult,
  type CompletedSignIn,
  type FirstFactorPassed,
  type RefusalContext,
} from './sign-in.core';
export { PasswordSignIn, type PasswordSignInInput } from './password-sign-in.service';
export { MfaStep, type MfaStepInput, type MfaStepResult } from './mfa-step.service';
export { SignInError, type SignInErrorCode } from './signin.errors';
