import { AccessTokenVerifier } from './access-token-verifier';
import type { VerifyTokenResponse__Output } from './generated/identity/v1/VerifyTokenResponse';
import type { ResolvedOptions } from './identity-client.options';
import { JwksCache, JwksUnavailableError } from './jwks-cache';
import { PermissionCache, type UserGrants } from './permission-cache';
import { PlatformGrpc } from './platform-grpc';
import { RevocationList } from './revocation-list';
import { RevocationWatcher, type WatcherLog, type WatcherStatus } from './revocation-watcher';

/** The user a request's access token speaks for, as `@CurrentUser()` hands it over. */
export interface IdentityUser {
  userId: string;
  sessionId: string;
  /** The token's `jti`. */
  tokenId: string;
  /** Roles as the token states them (the platform's, at sign-in or refresh). */
  roles: string[];
  /** The token's `amr` holds a second factor (`otp` or `rec`). */
  mfa: boolean;
  expiresAt: Date;
  /**
   * What the user may do now: resolved when the route demands permissions (from the
   * permission cache, or from `VerifyToken` when the platform was asked), else undefined.
   */
  permissions?: string[];
  /** `local`: checked here, against the revocation stream; `platform`: by `VerifyToken`. */
  verifiedBy: 'local' | 'platform';
}

/** The platform could not be asked when it had to be: the request must fail closed (503). */
export class IdentityUnavailableError extends Error {
  constructor(what: string, cause: unknown) {
    super(`${what}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'IdentityUnavailableError';
  }
}

/** The verdict on a token: the user, or why it is refused (never shown to the caller). */
export type Authentication = { ok: true; user: IdentityUser } | { ok: false; reason: string };

/** What the client is doing, for a readiness probe or a log line. */
export interface IdentityClientStatus {
  /** `local` while the revocation stream is in sync, else `platform` (VerifyToken per request). */
  mode: 'local' | 'platform';
  stream: WatcherStatus;
  /** Requests verified here / by the platform since start. */
  verified: { local: number; platform: number };
  revocations: { sessions: number; lockedUsers: number };
  cachedPermissions: number;
}

export interface IdentityClientParts {
  options: ResolvedOptions;
  log: WatcherLog;
  now?: () => number;
}

/**
 * The SDK's one service: verifies access tokens of the identity platform, mostly without a
 * network call.
 *
 * - While the revocation stream is in sync (see RevocationWatcher), a token is checked here:
 *   signature and claims against the cached JWKS, then against the revoked sessions and
 *   locked users the stream pushed. Permissions come from a short cache of
 *   `GetUserPermissions` that the same stream invalidates.
 * - When the stream has not proved itself complete for `maxStalenessMs` (or has not caught up
 *   since start), or the JWKS cannot be had, every token goes to the platform's `VerifyToken`.
 * - When the platform cannot answer that either, {@link IdentityUnavailableError}: the caller
 *   refuses the request (fail closed), never lets it through.
 */
export class IdentityClient {
  readonly platform: PlatformGrpc;
  private readonly jwks: JwksCache;
  private readonly verifier: AccessTokenVerifier;
  private readonly revocations: RevocationList;
  private readonly permissions: PermissionCache;
  private readonly watcher: RevocationWatcher;
  private readonly options: ResolvedOptions;
  private readonly now: () => number;
  private readonly counts = { local: 0, platform: 0 };

  constructor(parts: IdentityClientParts) {
    const { options } = parts;
    this.options = options;
    this.now = parts.now ?? Date.now;
    this.platform = new PlatformGrpc(options.grpc);
    this.jwks = new JwksCache(options.jwksUrl, { now: this.now });
    this.verifier = new AccessTokenVerifier(this.jwks, options, this.now);
    this.revocations = new RevocationList(options.clockToleranceSeconds * 1000);
    this.permissions = new PermissionCache(
      (userId) => this.loadGrants(userId),
      options.permissionsTtlMs,
      this.now,
    );
    this.watcher = new RevocationWatcher(
      (request) => this.platform.watchRevocations(request),
      this.revocations,
      this.permissions,
      options.revocations,
      parts.log,
      this.now,
    );
  }

  /** Subscribes to revocations and fetches the JWKS; requests are served meanwhile (remotely). */
  start(): void {
    if (this.options.verification === 'platform') return;
    this.watcher.start();
    void this.jwks.warm();
  }

  stop(): void {
    this.watcher.stop();
    this.platform.close();
  }

  /** Resolves true once tokens can be verified locally, false after `timeoutMs`. */
  whenInSync(timeoutMs: number): Promise<boolean> {
    return this.watcher.whenInSync(timeoutMs);
  }

  /**
   * Verifies an access token; with `withPermissions`, also resolves what its user may do.
   * @throws IdentityUnavailableError when the platform had to be asked and could not answer.
   */
  async authenticate(
    token: string,
    options: { withPermissions?: boolean } = {},
  ): Promise<Authentication> {
    if (!token) return { ok: false, reason: 'malformed' };
    if (this.options.verification === 'local' && this.watcher.inSync()) {
      const local = await this.authenticateLocally(token, options.withPermissions ?? false);
      if (local) return local;
    }
    return this.authenticateRemotely(token);
  }

  /**
   * The user's roles and permissions (cached; dropped by the stream on change); null for a
   * user the platform does not know.
   * @throws IdentityUnavailableError when the platform cannot answer.
   */
  permissionsOf(userId: string): Promise<UserGrants | null> {
    return this.permissions.get(userId);
  }

  status(): IdentityClientStatus {
    return {
      mode: this.watcher.inSync() ? 'local' : 'platform',
      stream: this.watcher.status(),
      verified: { ...this.counts },
      revocations: this.revocations.size,
      cachedPermissions: this.permissions.size,
    };
  }

  /** Undefined when the JWKS is out of reach: the platform decides instead. */
  private async authenticateLocally(
    token: string,
    withPermissions: boolean,
  ): Promise<Authentication | undefined> {
    let verdict: Awaited<ReturnType<AccessTokenVerifier['verify']>>;
    try {
      verdict = await this.verifier.verify(token);
    } catch (err) {
      if (err instanceof JwksUnavailableError) return undefined;
      throw err;
    }
    this.counts.local += 1;
    if (!verdict.ok) return { ok: false, reason: verdict.reason };
    const { claims } = verdict;
    const refusal = this.revocations.refusal(
      { sessionId: claims.sid, userId: claims.sub },
      this.now(),
    );
    if (refusal) return { ok: false, reason: refusal };
    let permissions: string[] | undefined;
    if (withPermissions) {
      const grants = await this.permissions.get(claims.sub);
      if (!grants) return { ok: false, reason: 'unknown_user' };
      permissions = grants.permissions;
    }
    return {
      ok: true,
      user: {
        userId: claims.sub,
        sessionId: claims.sid,
        tokenId: claims.jti,
        roles: claims.roles,
        mfa: claims.amr.includes('otp') || claims.amr.includes('rec'),
        expiresAt: new Date(claims.exp * 1000),
        ...(permissions ? { permissions } : {}),
        verifiedBy: 'local',
      },
    };
  }

  private async authenticateRemotely(token: string): Promise<Authentication> {
    let answer: VerifyTokenResponse__Output;
    try {
      answer = await this.platform.verifyToken(token, this.options.audience);
    } catch (err) {
      throw new IdentityUnavailableError('VerifyToken failed', err);
    }
    this.counts.platform += 1;
    if (!answer.active) return { ok: false, reason: answer.reason || 'inactive' };
    return {
      ok: true,
      user: {
        userId: answer.user_id,
        sessionId: answer.session_id,
        tokenId: answer.jti,
        roles: answer.roles,
        mfa: answer.mfa,
        expiresAt: new Date(answer.expires_at * 1000),
        permissions: answer.permissions,
        verifiedBy: 'platform',
      },
    };
  }

  private async loadGrants(userId: string): Promise<UserGrants | null> {
    try {
      const answer = await this.platform.getUserPermissions(userId);
      return answer ? { roles: answer.roles, permissions: answer.permissions } : null;
    } catch (err) {
      throw new IdentityUnavailableError('GetUserPermissions failed', err);
    }
  }
}
