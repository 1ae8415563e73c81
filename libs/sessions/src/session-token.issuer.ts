import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessService } from '@identity/access';
import { hashToken, randomToken } from '@identity/crypto';
import { AccessTokenService } from '@identity/tokens';
import type { SessionEntity } from './session.entity';
import { SessionRepository } from './session.repository';
import type { TokenPair } from './sessions.contract';

/**
 * Hands out the next token pair of a family: a fresh refresh token (stored as its hash only)
 * and an access token carrying the session's `amr` and the user's roles as they are now, so a
 * role change reaches the client at its next refresh.
 */
@Injectable()
export class SessionTokenIssuer {
  constructor(
    private readonly sessions: SessionRepository,
    private readonly access: AccessService,
    private readonly tokens: AccessTokenService,
  ) {}

  /**
   * Runs in the caller's transaction: if minting fails, the new refresh token is rolled back
   * with everything else.
   * @throws TokensError when no signing key is loaded.
   */
  async issue(
    manager: EntityManager,
    next: { session: SessionEntity; parentId: string | null; now: Date },
  ): Promise<TokenPair> {
    const { session, now } = next;
    const refreshToken = randomToken(32);
    await this.sessions.insertRefreshToken(
      {
        sessionId: session.id,
        tokenHash: hashToken(refreshToken),
        parentId: next.parentId,
        now,
        // A token never outlives its family: rotation cannot extend the absolute lifetime.
        expiresAt: session.expiresAt,
      },
      manager,
    );
    const { roles } = await this.access.grantsOf(session.userId, manager);
    const minted = await this.tokens.mint({
      userId: session.userId,
      sessionId: session.id,
      roles,
      amr: session.amr,
    });
    return {
      accessToken: minted.token,
      refreshToken,
      tokenType: 'Bearer',
      expiresIn: minted.expiresIn,
      refreshExpiresIn: Math.max(
        0,
        Math.floor((session.expiresAt.getTime() - now.getTime()) / 1000),
      ),
      sessionId: session.id,
      accessJti: minted.jti,
    };
  }
}
