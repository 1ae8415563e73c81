import { Injectable } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { type AppConfig, InjectConfig } from '@identity/config';
import { hashToken, randomToken } from '@identity/crypto';
import { AccessTokenService } from '@identity/tokens';
import { type NewRefreshToken, RefreshSuccessors } from './refresh-successor';
import type { RotatedSession } from './session.repository';
import type { TokenPair } from './sessions.contract';
import type { Tx } from '@identity/database';

/**
 * Hands out the next token pair of a family: a fresh refresh token (stored as its hash only,
 * by the caller's statement) and an access token carrying the session's `amr` and the user's
 * roles as they are now, so a role change reaches the client at its next refresh.
 */
@Injectable()
export class SessionTokenIssuer {
  private readonly successors: RefreshSuccessors;

  constructor(
    @InjectConfig() config: AppConfig,
    private readonly access: AccessService,
    private readonly tokens: AccessTokenService,
  ) {
    this.successors = new RefreshSuccessors(config.secrets.keyEncryptionKey);
  }

  /** The first token of a family: 256 random bits; store `hash`, hand out `token`. */
  newRefreshToken(): NewRefreshToken {
    const token = randomToken(32);
    return { token, hash: hashToken(token) };
  }

  /**
   * The one successor of the token stored as `parentHash` (see {@link RefreshSuccessors}):
   * the same every time it is asked for, so a retried refresh gets the same token back.
   */
  successorOf(parentHash: string): NewRefreshToken {
    return this.successors.of(parentHash);
  }

  /** @throws TokensError when no signing key is loaded (so {@link pair} would fail). */
  assertCanIssue(): void {
    this.tokens.assertCanMint();
  }

  /**
   * Mints the access token and assembles the pair. Inside the transaction that stored
   * `refreshToken` (`tx`), a failed mint rolls the new refresh token back with
   * everything else; after a commit, call {@link assertCanIssue} before committing.
   * @throws TokensError when no signing key is loaded.
   */
  async pair(
    tx: Tx | undefined,
    next: { session: RotatedSession; refreshToken: string; now: Date },
  ): Promise<TokenPair> {
    const { session, now } = next;
    const roles = await this.access.rolesForToken(session.userId, tx);
    const minted = await this.tokens.mint({
      userId: session.userId,
      sessionId: session.id,
      roles,
      amr: session.amr,
    });
    return {
      accessToken: minted.token,
      refreshToken: next.refreshToken,
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
