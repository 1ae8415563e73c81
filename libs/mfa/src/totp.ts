import { generateSecret, generateURI, verify } from 'otplib';

/** API.md "Details": SHA-1, 6 digits, 30 s period (what every authenticator app expects). */
export const TOTP_ALGORITHM = 'sha1';
export const TOTP_DIGITS = 6;
export const TOTP_PERIOD = 30;
/** 160-bit secrets (RFC 4226 recommends it; 20 bytes is also SHA-1's block-friendly size). */
export const TOTP_SECRET_BYTES = 20;
/** ±1 step: one period of clock drift or typing time either way (API.md), never more. */
const TOLERANCE_SECONDS = TOTP_PERIOD;

const SIX_DIGITS = /^\d{6}$/;

/** A fresh 160-bit TOTP secret, base32 (as authenticator apps and otpauth URLs want it). */
export function newTotpSecret(): string {
  return generateSecret({ length: TOTP_SECRET_BYTES });
}

/** The `otpauth://totp/...` URL an authenticator app scans, with issuer and account. */
export function totpUri(input: { issuer: string; account: string; secret: string }): string {
  return generateURI({
    issuer: input.issuer,
    label: input.account,
    secret: input.secret,
    algorithm: TOTP_ALGORITHM,
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD,
  });
}

/** What {@link matchTotp} checks. */
export interface TotpCheck {
  /** Base32 secret. */
  secret: string;
  /** As the user typed it; spaces are ignored ("123 456"). */
  code: string;
  /** The last step this user used: only later steps match (each step works once). */
  afterStep?: number | null;
  /** Unix time in seconds (the app's `Clock`). */
  now: number;
}

/**
 * The time step a code belongs to, if it is valid within ±1 step of `now` and later than
 * `afterStep`; null otherwise. Comparison is constant-time (otplib). The caller must still
 * record the step atomically (see `MfaTotpRepository.consumeStep`): this check alone cannot
 * stop two concurrent requests from using one code.
 */
export async function matchTotp(check: TotpCheck): Promise<number | null> {
  const code = check.code.replace(/\s+/g, '');
  if (!SIX_DIGITS.test(code)) return null;
  try {
    const result = await verify({
      secret: check.secret,
      token: code,
      algorithm: TOTP_ALGORITHM,
      digits: TOTP_DIGITS,
      period: TOTP_PERIOD,
      epoch: check.now,
      epochTolerance: TOLERANCE_SECONDS,
      ...(check.afterStep === null || check.afterStep === undefined
        ? {}
        : { afterTimeStep: check.afterStep }),
    });
    // The functional API types TOTP and HOTP results as one union; a TOTP match has timeStep.
    return result.valid && 'timeStep' in result ? result.timeStep : null;
  } catch {
    // otplib throws on inputs it refuses (a secret that is not base32, say): not a match.
    return null;
  }
}
