import type { MfaChallenge, SecondFactorProof, TotpSetup } from '@identity/mfa';
import type { MfaStepInput } from '@identity/signin';

/** Login's answer for a user with a second factor (API.md, `POST /auth/login`). */
export interface MfaRequiredResponse {
  mfa_required: true;
  mfa_token: string;
  methods: string[];
}

export function toMfaRequiredResponse(challenge: MfaChallenge): MfaRequiredResponse {
  return { mfa_required: true, mfa_token: challenge.mfaToken, methods: [...challenge.methods] };
}

/** `POST /auth/mfa/totp/setup`. */
export interface TotpSetupResponse {
  secret: string;
  otpauth_url: string;
  qr_code: string;
}

export function toTotpSetupResponse(setup: TotpSetup): TotpSetupResponse {
  return { secret: setup.secret, otpauth_url: setup.otpauthUrl, qr_code: setup.qrCode };
}

/** `POST /auth/mfa/totp/confirm` and `POST /auth/mfa/recovery-codes`. */
export interface RecoveryCodesResponse {
  recovery_codes: string[];
}

export function toRecoveryCodesResponse(result: {
  recoveryCodes: string[];
}): RecoveryCodesResponse {
  return { recovery_codes: [...result.recoveryCodes] };
}

/** The verify body (validated: exactly one factor) as the MFA step takes it. */
export function toMfaStepInput(body: {
  mfa_token: string;
  code?: string;
  recovery_code?: string;
}): MfaStepInput {
  return body.code !== undefined
    ? { mfaToken: body.mfa_token, code: body.code }
    : { mfaToken: body.mfa_token, recoveryCode: body.recovery_code ?? '' };
}

/** A body with exactly one second factor (validated) as the MFA context takes it. */
export function toSecondFactorProof(body: {
  code?: string;
  recovery_code?: string;
}): SecondFactorProof {
  return body.code !== undefined ? { code: body.code } : { recoveryCode: body.recovery_code ?? '' };
}
