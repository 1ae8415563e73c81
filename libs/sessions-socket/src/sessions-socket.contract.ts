/**
 * The socket.io contract of the `/sessions` namespace (API.md "Socket.io (revocation push)"):
 * event names and payloads in both directions. The gateway types its server with these maps,
 * the Node client and the browser helper (`watch-sessions.ts`) their sockets, and the script
 * the web UI loads is built from that same helper, so a renamed field breaks the build, not a
 * browser.
 *
 * No runtime imports: this file is shared by the server and by clients, browsers included.
 */

/** The namespace, on the HTTP port. */
export const SESSIONS_NAMESPACE = '/sessions';

/** The only `connect_error` message a refused handshake gets, whatever the cause. */
export const UNAUTHORIZED = 'unauthorized';

/** Why sessions died: exactly API.md's list (and the event spine's `RevocationReason`). */
export const REVOCATION_REASONS = [
  'logout',
  'logout_all',
  'session_revoked',
  'password_changed',
  'password_reset',
  'refresh_reused',
  'account_locked',
  'email_changed',
  'account_deleted',
] as const;

export type RevokedReason = (typeof REVOCATION_REASONS)[number];

/**
 * Pushed when the socket's session (`scope: 'session'`, with `session_id`) or every session
 * of its user (`scope: 'user'`) was revoked. The server disconnects the socket right after:
 * the client must drop its tokens and log out hard.
 */
export type RevokedMessage =
  | { scope: 'session'; session_id: string; reason: RevokedReason; at: string }
  | { scope: 'user'; reason: RevokedReason; at: string };

/**
 * Pushed when the access token the socket last presented has expired; the server disconnects
 * the socket right after. Not a logout: the client refreshes its tokens and reconnects (or,
 * to avoid the gap, sends `authenticate` with a fresh token before the old one expires).
 */
export interface ExpiredMessage {
  at: string;
}

/** Server -> client events. */
export interface SessionsServerToClientEvents {
  revoked: (message: RevokedMessage) => void;
  expired: (message: ExpiredMessage) => void;
}

/** The payload of the client's `authenticate` event: a fresh access token of the same session. */
export interface AuthenticateRequest {
  token: string;
}

/**
 * The acknowledgement of `authenticate`. `unauthorized`: the token is missing, malformed,
 * forged, expired or revoked. `session_mismatch`: a valid token of another session (a socket
 * stays bound to the session it connected with; reconnect to switch). On refusal the socket
 * keeps its previous expiry.
 */
export type AuthenticateAck =
  { ok: true; expires_at: string } | { ok: false; error: 'unauthorized' | 'session_mismatch' };

/** Client -> server events. */
export interface SessionsClientToServerEvents {
  authenticate: (request: AuthenticateRequest, ack: (result: AuthenticateAck) => void) => void;
}

/** Every server -> client event, listed once (a missing or extra key is a type error). */
export const SERVER_EVENTS = Object.keys({
  revoked: true,
  expired: true,
} satisfies Record<
  keyof SessionsServerToClientEvents,
  true
>) as (keyof SessionsServerToClientEvents)[];

/** The contract's values, as one object (the browser script embeds it). */
export const SESSIONS_CONTRACT = {
  namespace: SESSIONS_NAMESPACE,
  unauthorized: UNAUTHORIZED,
  events: SERVER_EVENTS,
  revocationReasons: REVOCATION_REASONS,
} as const;

export type SessionsContract = typeof SESSIONS_CONTRACT;
