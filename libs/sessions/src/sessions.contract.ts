/**
 * The public contract of `@identity/sessions`, written before the implementation so that the
 * accounts context and the HTTP layer can be built against it at the same time.
 * (Kept as the source of these types; the implementation imports them from here.)
 */
import type { RevocationReason } from '@identity/audit';
import { DomainError } from '@identity/kernel';

/** Who is asking, as the transport saw it. The raw IP is only ever stored as a keyed hash. */
export interface ClientContext {
  ip: string;
  userAgent?: string;
}

/** What a successful login, MFA step, refresh or SSO exchange hands the client. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds until the access token expires. */
  expiresIn: number;
  /** Seconds left before the family's absolute expiry (also the refresh cookie's Max-Age). */
  refreshExpiresIn: number;
  sessionId: string;
  /** The access token's jti (for denylisting on logout). */
  accessJti: string;
}

/** A login that succeeded, as `SessionService.open` turns it into a session. */
export interface OpenSessionInput {
  userId: string;
  /** Authentication methods of this login: ['pwd'], ['pwd','otp'], ['pwd','rec'], ['oidc'] ... */
  amr: string[];
  deviceName?: string;
  client: ClientContext;
}

/** Which sessions `SessionService.revokeAll` ends (every active one of the user) and why. */
export interface RevokeAllInput {
  userId: string;
  reason: RevocationReason;
  /** Keep this one (change-password keeps the current session). */
  exceptSessionId?: string;
  /** Who did it (an admin), for the audit trail. */
  actorId?: string;
  ipHash?: string;
}

/** Error codes of the sessions context. */
export type SessionErrorCode =
  'session.refresh_invalid' | 'session.refresh_reused' | 'session.not_found';

/** A refusal of the sessions context; transports map `code` exhaustively. */
export class SessionError extends DomainError<SessionErrorCode> {}

/** A session as listed to its owner. */
export interface SessionView {
  id: string;
  deviceName: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastUsedAt: Date;
}

/**
 * What a logout presents: the session of the access token and/or a refresh token. Every field
 * is optional because logout is idempotent and accepts either credential.
 */
export interface LogoutInput {
  /** The session of the presented access token (`sid`). */
  sessionId?: string;
  /** A refresh token; its session is ended (possession proves it is the caller's). */
  refreshToken?: string;
  /** The presented access token's jti and expiry, denied until it would have expired. */
  accessJti?: string;
  accessExpiresAt?: Date;
  /** When set (the authenticated user), only this user's sessions may be ended. */
  userId?: string;
}
