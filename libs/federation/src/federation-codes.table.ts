/**
 * The `federation_codes` table (migrations/1796000000000-federated-sign-in.ts), for its
 * repository only: the one-time secrets of a federated sign-in, each stored as the SHA-256 of
 * a 256-bit random value (`pk_federation_codes` on `code_hash`), bound to the account it
 * completes (`user_id` → `users` ON DELETE CASCADE) and to the identity (provider, subject).
 * `expires_at > created_at` (`ck_federation_codes_lifetime`); a use deletes the row.
 */

/**
 * What a code completes (`ck_federation_codes_kind`):
 * - `sign_in`: an exchange code that signs `userId` in through the identity;
 * - `link_offer`: an exchange code that answers `account_link_required`, offering to link the
 *   identity to `userId`;
 * - `link`: the link token of that answer, which `POST /auth/oidc/link` spends.
 */
export type FederationCodeKind = 'sign_in' | 'link_offer' | 'link';

/** Every column but the hash, in the order of {@link FederationCodeRow}. */
export const CODE_COLUMNS = `kind, user_id, provider, subject, email, created_at, expires_at`;

/** A code, as its use finds it (never the code itself: only its hash is stored). */
export interface FederationCode {
  kind: FederationCodeKind;
  userId: string;
  provider: string;
  subject: string;
  /** The address the provider vouched for (what a link records, and the 409 shows). */
  email: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export interface FederationCodeRow {
  kind: FederationCodeKind;
  user_id: string;
  provider: string;
  subject: string;
  email: string | null;
  created_at: Date;
  expires_at: Date;
}

export function toFederationCode(row: FederationCodeRow): FederationCode {
  return {
    kind: row.kind,
    userId: row.user_id,
    provider: row.provider,
    subject: row.subject,
    email: row.email,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
