import { Injectable } from '@nestjs/common';
import { MailLanguages, SealedOutbox } from '@identity/delivery';
import type { Tx } from '@identity/database';

/**
 * A request about an address that must not reveal whether the address has an account:
 * registration, a new verification link, a password reset. The request path does the same
 * work for every address (validation, limits, a registration's password hash and its one
 * insert-unless-taken statement, and one outbox row through {@link AccountRequests.submit});
 * looking the address up and what follows (the mail, the notice to an existing owner) happen
 * later, in the outbox worker, where no response waits on it.
 */
export type AccountRequest = (
  | {
      action: 'register';
      emailNormalized: string;
      /** The account the request created; null when the address already had one. */
      createdUserId: string | null;
      ipHash: string;
    }
  | { action: 'resend_verification'; emailNormalized: string; ipHash: string }
  | { action: 'reset_password'; emailNormalized: string; ipHash: string }
) & {
  /**
   * The request's `Accept-Language` preferences (parsed, at most six tags), so the mail the
   * worker queues for it is in the requester's language. Set by {@link AccountRequests.submit}.
   */
  languages?: string[];
};

/** The outbox kind account requests travel under. */
export const ACCOUNT_REQUEST_KIND = 'account_request';

/** Queues account requests (sealed: they hold addresses and, for a registration, a hash). */
@Injectable()
export class AccountRequests {
  constructor(private readonly outbox: SealedOutbox) {}

  /**
   * One outbox row (in `tx`, or on its own): the same statement for every address. Carries
   * the current request's mail languages along (sealed with the rest).
   */
  submit(request: AccountRequest, tx?: Tx): Promise<void> {
    const languages = [...MailLanguages.current()];
    return this.outbox.queue(ACCOUNT_REQUEST_KIND, { ...request, languages }, tx);
  }
}

/** Whether a value opened from the outbox is an {@link AccountRequest} this version knows. */
export function isAccountRequest(value: unknown): value is AccountRequest {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  if (typeof r.emailNormalized !== 'string' || typeof r.ipHash !== 'string') return false;
  if (
    r.languages !== undefined &&
    !(Array.isArray(r.languages) && r.languages.every((l) => typeof l === 'string'))
  ) {
    return false;
  }
  switch (r.action) {
    case 'resend_verification':
    case 'reset_password':
      return true;
    case 'register':
      return r.createdUserId === null || typeof r.createdUserId === 'string';
    default:
      return false;
  }
}
