import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SessionService } from '@identity/sessions';
import { type AuthRejection, Authenticator, type Principal } from '@identity/tokens';
import { AuthCookies } from '../http/auth/auth-cookies';
import type { AuthenticateAck } from '@identity/sessions-socket';
import { type SessionsSocket, sessionRoom, userRoom } from './sessions-socket.types';
import { Clock } from '@identity/kernel';

/** Longest token the socket accepts; real access tokens are well under 2 KiB. */
const MAX_TOKEN_LENGTH = 8_192;

/** Why a handshake was refused. The client only ever learns `unauthorized`; this is for the log. */
export type SocketRefusal =
  | AuthRejection
  | 'missing_token'
  /** Valid for `authenticate()` (clock leeway) but already past `exp`: nothing to keep alive. */
  | 'token_expired'
  /** Revoked in Postgres, the denylist not written yet (or lost with Redis). */
  | 'session_inactive';

type Admission =
  | { ok: true; principal: Principal }
  | { ok: false; refusal: Exclude<SocketRefusal, 'missing_token'> };

/**
 * Authenticates sockets of the `/sessions` namespace with the platform's one `authenticate()`:
 * at the handshake (token in `auth.token`, else the access cookie) and when a connected client
 * presents a fresh token (`authenticate` event).
 */
@Injectable()
export class SocketAuthenticator {
  private readonly cookies: AuthCookies;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly authenticator: Authenticator,
    private readonly sessions: SessionService,
    private readonly clock: Clock,
  ) {
    this.cookies = new AuthCookies(config);
  }

  /**
   * Admits a handshaking socket: sets `socket.data` and joins its user and session rooms.
   * Returns why it was refused, or undefined. (socket.io leaves the rooms of a refused socket.)
   * @throws when the denylist or the database cannot be reached (the caller refuses: fail closed).
   */
  async admit(socket: SessionsSocket): Promise<SocketRefusal | undefined> {
    const handshake = socket.handshake;
    const token =
      tokenOf(handshake.auth) ?? this.cookieToken(handshake.headers.cookie ?? undefined);
    if (!token) return 'missing_token';
    const admission = await this.check(token);
    if (!admission.ok) return admission.refusal;
    const { userId, sessionId, expiresAt } = admission.principal;
    socket.data = { userId, sessionId, expiresAt: expiresAt.getTime() };
    await socket.join([userRoom(userId), sessionRoom(sessionId)]);
    // Read after joining: a revocation that commits after this read is pushed to a socket
    // already in its rooms; one that committed before it is seen here. Either way nothing is
    // missed, even when its denylist entry is not written yet.
    if (!(await this.sessions.isActive(sessionId))) return 'session_inactive';
    return undefined;
  }

  /**
   * Takes a fresh access token from a connected socket: on success the socket lives until
   * the new token expires. The token must belong to the socket's own session.
   * @throws when the denylist cannot be reached.
   */
  async renew(socket: SessionsSocket, request: unknown): Promise<AuthenticateAck> {
    const token = tokenOf(request);
    if (!token) return { ok: false, error: 'unauthorized' };
    const admission = await this.check(token);
    if (!admission.ok) return { ok: false, error: 'unauthorized' };
    const { userId, sessionId, expiresAt } = admission.principal;
    if (userId !== socket.data.userId || sessionId !== socket.data.sessionId) {
      return { ok: false, error: 'session_mismatch' };
    }
    socket.data.expiresAt = expiresAt.getTime();
    return { ok: true, expires_at: expiresAt.toISOString() };
  }

  private async check(token: string): Promise<Admission> {
    const result = await this.authenticator.authenticate(token);
    if (!result.ok) return { ok: false, refusal: result.reason };
    // authenticate() allows clock leeway past `exp`; a socket would be dropped at once.
    if (result.principal.expiresAt.getTime() <= this.clock.nowMs()) {
      return { ok: false, refusal: 'token_expired' };
    }
    return result;
  }

  private cookieToken(header: string | undefined): string | undefined {
    if (!header) return undefined;
    const name = this.cookies.access;
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
      try {
        return bounded(decodeURIComponent(part.slice(eq + 1).trim()));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }
}

/** `{ token: string }` from an untrusted payload (handshake `auth`, `authenticate` event). */
function tokenOf(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const token = (payload as { token?: unknown }).token;
  return typeof token === 'string' ? bounded(token) : undefined;
}

function bounded(token: string): string | undefined {
  return token.length > 0 && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}
