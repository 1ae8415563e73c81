import { DomainError } from '@identity/kernel';

/** Codes of errors the tokens context throws; none of them is a client's fault. */
export type TokensErrorCode =
  /** Asked to sign before the key set was loaded (or while it holds no active key). */
  | 'tokens.no_signing_key'
  /** The active key's private part does not open under the configured key-encryption key. */
  | 'tokens.signing_key_unreadable';

/**
 * A failure of the token machinery itself (a server fault, never a rejected token: those are
 * results, see `TokenRejection`). Transports answer it as an internal error.
 */
export class TokensError extends DomainError<TokensErrorCode> {}
