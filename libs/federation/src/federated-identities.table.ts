/**
 * The `federated_identities` table (migrations/1764000000000-initial-schema.ts, given its
 * present shape by 1796000000000-federated-sign-in.ts), for its repository only. One row links
 * one provider identity to one account:
 * - (provider, subject) is unique (`uq_federated_identities_provider_subject`): an identity
 *   belongs to one account at most, and it is the only key a sign-in looks an identity up by;
 * - (user_id, provider) is unique (`uq_federated_identities_user_provider`): one identity per
 *   provider per account;
 * - `user_id` → `users` ON DELETE CASCADE (`fk_federated_identities_user`);
 * - `email` is what the provider vouched for when the identity was linked: shown to the owner,
 *   never used to find anything.
 */

/** The unique constraint on (provider, subject). */
export const IDENTITY_SUBJECT_CONSTRAINT = 'uq_federated_identities_provider_subject';
/** The unique constraint on (user_id, provider). */
export const IDENTITY_PROVIDER_PER_USER_CONSTRAINT = 'uq_federated_identities_user_provider';

/** Every column, in the order of {@link FederatedIdentityRow}. */
export const IDENTITY_COLUMNS = `id, provider, subject, user_id, email, linked_at, last_used_at`;

/** A linked identity. */
export interface FederatedIdentity {
  id: string;
  /** `google`, `github` or OIDC_NAME. */
  provider: string;
  /** The provider's stable id of the person (GitHub's numeric id as a string). */
  subject: string;
  userId: string;
  /** The address the provider vouched for when the identity was linked. */
  email: string | null;
  linkedAt: Date;
  /** The last sign-in through it; null until the first. */
  lastUsedAt: Date | null;
}

/** A row as `pg` returns it. */
export interface FederatedIdentityRow {
  id: string;
  provider: string;
  subject: string;
  user_id: string;
  email: string | null;
  linked_at: Date;
  last_used_at: Date | null;
}

export function toFederatedIdentity(row: FederatedIdentityRow): FederatedIdentity {
  return {
    id: row.id,
    provider: row.provider,
    subject: row.subject,
    userId: row.user_id,
    email: row.email,
    linkedAt: row.linked_at,
    lastUsedAt: row.last_used_at,
  };
}
