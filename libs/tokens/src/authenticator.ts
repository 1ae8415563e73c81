import { Injectable } from '@nestjs/common';
import { AccessDenylist } from './access-denylist';
import { AccessTokenService, type TokenRejection } from './access-token.service';

/** Who a valid access token speaks for. */
export interface Principal {
  userId: string;
  sessionId: string;
  jti: string;
  roles: string[];
  amr: string[];
  expiresAt: Date;
}

/** Why authentication failed: a {@link TokenRejection}, or `revoked` (denylisted). */
export type AuthRejection = TokenRejection | 'revoked';

/** The outcome of {@link Authenticator.authenticate}. */
export type AuthResult = { ok: true; principal: Principal } | { ok: false; reason: AuthRejection };

/**
 * The one `authenticate()` of the platform: the HTTP guard, the gRPC `VerifyToken` handler
 * and the socket handshake all call it, so a token is judged the same way on every transport.
 */
@Injectable()
export class Authenticator {
  constructor(
    private readonly tokens: AccessTokenService,
    private readonly denylist: AccessDenylist,
  ) {}

  /**
   * Verifies the token, then asks whether it was revoked: the denylist (one kv read), or, when
   * that copy cannot be trusted (Redis failed or lost its data), the session's state in
   * Postgres. Account state (a locked user) is not checked here; that belongs to the accounts
   * context.
   * @throws when revocation cannot be decided (Redis unreadable or untrusted and Postgres
   * unreachable): fail closed, a revoked token must never pass because a store is down.
   */
  async authenticate(token: string, options: { audience?: string } = {}): Promise<AuthResult> {
    const verified = await this.tokens.verify(token, options);
    if (!verified.ok) return verified;
    const { claims } = verified;
    if (await this.denylist.isRevoked(claims.jti, claims.sid)) {
      return { ok: false, reason: 'revoked' };
    }
    return {
      ok: true,
      principal: {
        userId: claims.sub,
        sessionId: claims.sid,
        jti: claims.jti,
        roles: claims.roles,
        amr: claims.amr,
        expiresAt: new Date(claims.exp * 1000),
      },
    };
  }
}
