/**
 * The MFA tables (migrations/1764000000000-initial-schema.ts), for their repositories only:
 * - `mfa_totp`: one TOTP enrolment per user (`user_id` PK), pending until its first code
 *   confirms it (`enabled_at` set); `secret_enc` is the base32 secret sealed by `SecretBox`
 *   with aad `mfa_totp:<userId>`, never the plain secret; `kek_id` names the key-encryption
 *   key that sealed it; `last_used_step` is the last time step a code was accepted for (each
 *   step is accepted once).
 * - `mfa_recovery_codes`: one single-use recovery code per row, only its keyed hash
 *   (`code_hash`, unique per user: `uq_mfa_recovery_codes_user_code`), `used_at` once used.
 */

/** A TOTP enrolment as the services use it. */
export interface TotpEnrolment {
  userId: string;
  secretEnc: string;
  kekId: string;
  enabled: boolean;
  /** Null until a code was accepted. */
  lastUsedStep: number | null;
  createdAt: Date;
}

/** Every column of `mfa_totp`, in the order of {@link TotpRow}. */
export const TOTP_COLUMNS = 'user_id, secret_enc, kek_id, enabled_at, last_used_step, created_at';

export interface TotpRow {
  user_id: string;
  secret_enc: string;
  kek_id: string;
  enabled_at: Date | null;
  last_used_step: string | null;
  created_at: Date;
}

export function toEnrolment(row: TotpRow): TotpEnrolment {
  return {
    userId: row.user_id,
    secretEnc: row.secret_enc,
    kekId: row.kek_id,
    enabled: row.enabled_at !== null,
    // bigint arrives as a string; time steps (~6e7 today) are far inside the safe range.
    lastUsedStep: row.last_used_step === null ? null : Number(row.last_used_step),
    createdAt: row.created_at,
  };
}
