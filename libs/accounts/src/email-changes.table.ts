/**
 * The `email_changes` table (migrations/1796200000000-self-service.ts), for its repository
 * only: a requested move of an account to another address, pending until the link mailed to
 * that address is confirmed. `token_hash` is the SHA-256 hex of the emailed token
 * (`uq_email_changes_token_hash`); `new_email` as typed (NFKC, trimmed, case kept, at most 254
 * characters: `ck_email_changes_new_email`) and `new_email_normalized` the lookup key; single
 * use through `used_at`; `expires_at` after `created_at` (`ck_email_changes_lifetime`). Rows go
 * with their account (`fk_email_changes_user`, ON DELETE CASCADE).
 */
export const EMAIL_CHANGES_TABLE = 'email_changes';

/** A requested change as confirming it needs it. */
export interface PendingEmailChange {
  userId: string;
  newEmail: string;
  newEmailNormalized: string;
}

/** The columns a confirmation reads back, as `pg` returns them. */
export interface PendingEmailChangeRow {
  user_id: string;
  new_email: string;
  new_email_normalized: string;
}

export function toPendingEmailChange(row: PendingEmailChangeRow): PendingEmailChange {
  return {
    userId: row.user_id,
    newEmail: row.new_email,
    newEmailNormalized: row.new_email_normalized,
  };
}
