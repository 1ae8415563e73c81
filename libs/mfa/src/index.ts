/**
 * `@identity/mfa`: TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s, ±1 step, each step
 * once per user), single-use recovery codes, and the challenges (`mfa_token`) of the sign-in's
 * MFA step, which `@identity/signin` runs.
 * TOTP secrets are sealed with the key-encryption key; recovery codes are stored as keyed
 * hashes; wrong codes are capped per mfa_token and per user by `@identity/protection`.
 *
 * @example
 * // a first factor passed, for a user with a confirmed second factor:
 * const challenge = await mfaChallenges.issue({ userId, amr: ['pwd'], method: 'password' });
 * // later, POST /auth/mfa/verify, in the session's transaction:
 * const method = await secondFactor.verify(tx, { user, proof: { code } });
 */
export { MfaModule } from './mfa.module';
export { MfaError, type MfaErrorCode } from './mfa.errors';
export {
  MfaChallengeService,
  MFA_METHODS,
  type MfaMethod,
  type MfaChallenge,
  type MfaChallengeInput,
  type PendingChallenge,
} from './mfa-challenge.service';
export { SecondFactor, type SecondFactorProof, type SecondFactorMethod } from './second-factor';
export { TotpEnrolmentService, type TotpSetup } from './totp-enrolment.service';
export { CodeConfirmedChange } from './code-confirmed-change';
export { RecoveryCodeService } from './recovery-code.service';
export { RECOVERY_CODE_COUNT } from './recovery-codes';
export { TOTP_DIGITS, TOTP_PERIOD, TOTP_ALGORITHM } from './totp';
