import { DomainError } from '@identity/kernel';

/** Codes of the admin use cases' refusals; transports map them (HTTP 404 `not_found`). */
export type AdminErrorCode =
  /** No account has this id (or this email). */
  'admin.user_not_found';

/** A refusal of an admin use case. */
export class AdminError extends DomainError<AdminErrorCode> {}
