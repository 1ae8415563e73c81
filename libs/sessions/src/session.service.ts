import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { IpHasher } from './ip-hasher';
import { SessionRefreshService } from './session-refresh.service';
import { SessionRevocationService } from './session-revocation.service';
import { clipText, describeClient, DEVICE_NAME_MAX } from './session-input';
import { SessionTokenIssuer } from './session-token.issuer';
import { type LivenessCut, SessionRepository } from './session.repository';
import type {
  ClientContext,
  LogoutInput,
  OpenSessionInput,
  RevokeAllInput,
  SessionView,
  TokenPair,
} from './sessions.contract';
import type { Tx } from '@identity/database';
import { Clock } from '@identity/kernel';

/**
 * The sessions context's one door: a session is one login and one refresh-token family.
 * Opening and listing live here; rotation and revocation have services of their own, which
 * this one fronts so callers depend on a single class.
 */
@Injectable()
export class SessionService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly issuer: SessionTokenIssuer,
    private readonly ipHasher: IpHasher,
    private readonly refresher: SessionRefreshService,
    private readonly revocation: SessionRevocationService,
    private readonly clock: Clock,
  ) {}

  /**
   * Starts a session in the caller's (login) transaction and returns its first token pair.
   * The family's absolute expiry is fixed here, `REFRESH_TOKEN_TTL` from now.
   * @throws TokensError when no signing key is loaded (the login then rolls back).
   */
  async open(tx: Tx, input: OpenSessionInput): Promise<TokenPair> {
    const now = this.clock.now();
    const client = describeClient(input.client, this.ipHasher);
    const refresh = this.issuer.newRefreshToken();
    const session = await this.sessions.insertSessionWithToken(
      {
        userId: input.userId,
        amr: [...input.amr],
        deviceName: clipText(input.deviceName, DEVICE_NAME_MAX),
        userAgent: client.userAgent,
        ipHash: client.ipHash,
        now,
        expiresAt: new Date(now.getTime() + this.config.sessions.refreshTtl * 1000),
      },
      { tokenHash: refresh.hash },
      tx,
    );
    return this.issuer.pair(tx, { session, refreshToken: refresh.token, now });
  }

  /**
   * Rotates a refresh token: the old one is spent, a new pair is returned. Presenting a
   * spent token kills the family and every access token of it, unless it was rotated within
   * `REFRESH_RETRY_WINDOW` and its successor is unused: then that same successor comes back.
   * @throws SessionError `session.refresh_invalid` (unknown, revoked, expired or idle) or
   * `session.refresh_reused` (already rotated).
   */
  refresh(refreshToken: string, client: ClientContext): Promise<TokenPair> {
    return this.refresher.refresh(refreshToken, client);
  }

  /**
   * Ends the session of the presented access and/or refresh token and denies the presented
   * access token. Idempotent: an unknown or already ended session is not an error.
   */
  logout(input: LogoutInput): Promise<void> {
    return this.revocation.logout(input);
  }

  /**
   * Ends every active session of a user (but `exceptSessionId`) and returns their ids. With a
   * `tx`, runs in the caller's transaction and denies the access tokens after it commits;
   * without, runs in a transaction of its own.
   */
  revokeAll(tx: Tx | undefined, input: RevokeAllInput): Promise<string[]> {
    return this.revocation.revokeAll(tx, input);
  }

  /**
   * Ends one of the user's own sessions.
   * @throws SessionError `session.not_found` for an unknown, foreign, ended or malformed id.
   */
  revoke(userId: string, sessionId: string): Promise<void> {
    return this.revocation.revoke(userId, sessionId);
  }

  /** The user's live sessions (active, not expired, not idle), newest first. */
  async list(userId: string): Promise<SessionView[]> {
    const rows = await this.sessions.listLiveByUser(userId, this.livenessCut());
    return rows.map((s) => ({
      id: s.id,
      deviceName: s.deviceName,
      userAgent: s.userAgent,
      createdAt: s.createdAt,
      lastUsedAt: s.lastUsedAt,
    }));
  }

  /**
   * How the user's sessions among `sessionIds` described their device (the name the client
   * gave, its user agent), whether they still live or not: for naming the device of past
   * events. Ids of sessions that are purged, or not the user's, are missing from the map.
   */
  async devicesOf(
    userId: string,
    sessionIds: readonly string[],
  ): Promise<Map<string, Pick<SessionView, 'deviceName' | 'userAgent'>>> {
    const rows = await this.sessions.findDevices(userId, [...new Set(sessionIds)]);
    return new Map(rows.map((r) => [r.id, { deviceName: r.deviceName, userAgent: r.userAgent }]));
  }

  /** True while the session could still refresh (active, not expired, not idle). */
  async isActive(sessionId: string): Promise<boolean> {
    return this.sessions.isLive(sessionId, this.livenessCut());
  }

  private livenessCut(): LivenessCut {
    const now = this.clock.now();
    return { now, idleSince: new Date(now.getTime() - this.config.sessions.idleTtl * 1000) };
  }
}
