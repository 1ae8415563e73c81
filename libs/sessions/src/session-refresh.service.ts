import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { hashToken, MAX_PRESENTED_TOKEN_LENGTH } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { IpHasher } from './ip-hasher';
import { judgeRefresh, type RefreshRules } from './refresh-verdict';
import { SessionDenylist } from './session-denylist';
import { describeClient } from './session-input';
import { SessionTokenIssuer } from './session-token.issuer';
import type { RefreshToken, Session } from './sessions.tables';
import { SessionRepository } from './session.repository';
import { type ClientContext, SessionError, type TokenPair } from './sessions.contract';
import { Clock } from '@identity/kernel';

/** How the exchange transaction ended; decided inside it, acted upon after it. */
type RefreshOutcome =
  | { kind: 'rotated'; pair: TokenPair }
  | { kind: 'retried'; pair: TokenPair }
  | { kind: 'invalid' }
  | { kind: 'reused'; sessionId: string; killedNow: boolean };

const INVALID: RefreshOutcome = { kind: 'invalid' };

/**
 * Refresh-token rotation with reuse detection: each token is exchanged once; a token seen
 * again kills its whole family, because either the client or a thief holds a copy, and we
 * cannot tell which. One exception makes a lost response harmless: within
 * `REFRESH_RETRY_WINDOW` seconds of a rotation, while the successor is unused, the rotated
 * token gets that same successor again (it is derived, see `RefreshSuccessors`), with a fresh
 * access token; concurrent presentations of one token therefore all get the one successor.
 */
@Injectable()
export class SessionRefreshService {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly db: Database,
    private readonly sessions: SessionRepository,
    private readonly issuer: SessionTokenIssuer,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
    private readonly denylist: SessionDenylist,
    private readonly clock: Clock,
  ) {}

  private get rules(): RefreshRules {
    return {
      idleTtlSeconds: this.config.sessions.idleTtl,
      retryWindowSeconds: this.config.sessions.retryWindow,
    };
  }

  /**
   * Exchanges a refresh token for a new pair.
   * @throws TokensError when no signing key is loaded (nothing is spent then).
   * @throws SessionError `session.refresh_invalid` (unknown, revoked, expired or idle family),
   * `session.refresh_reused` (an already rotated token; its family is dead from now on).
   */
  async refresh(refreshToken: string, client: ClientContext): Promise<TokenPair> {
    if (!refreshToken || refreshToken.length > MAX_PRESENTED_TOKEN_LENGTH)
      throw new SessionError('session.refresh_invalid');
    const tokenHash = hashToken(refreshToken);
    // The pair is minted after the rotation commits: make sure it can be before spending
    // the client's token.
    this.issuer.assertCanIssue();
    const rotated = await this.rotateIfCurrent(tokenHash, client);
    if (rotated) return rotated;
    // Anything but the current token of a live family: judged under locks. Reuse must be
    // recorded even though the caller gets an error: the transaction returns the outcome
    // and commits, and only then is it turned into the error.
    const outcome = await this.db.withTransaction((tx) => this.exchange(tx, tokenHash, client));
    switch (outcome.kind) {
      case 'rotated':
      case 'retried':
        return outcome.pair;
      case 'invalid':
        throw new SessionError('session.refresh_invalid');
      case 'reused':
        if (outcome.killedNow) await this.denylist.deny({ sessionIds: [outcome.sessionId] });
        throw new SessionError('session.refresh_reused');
    }
  }

  /**
   * The common case, one statement: the token is its live family's current one, so it is
   * spent and the next one stored (see `SessionRepository.rotateIfCurrent`). Null when the
   * token earns anything but `rotate`; nothing has changed then.
   */
  private async rotateIfCurrent(
    tokenHash: string,
    client: ClientContext,
  ): Promise<TokenPair | null> {
    const now = this.clock.now();
    const seen = describeClient(client, this.ipHasher);
    const refresh = this.issuer.successorOf(tokenHash);
    const session = await this.sessions.rotateIfCurrent({
      tokenHash,
      now,
      idleSince: new Date(now.getTime() - this.config.sessions.idleTtl * 1000),
      userAgent: seen.userAgent,
      ipHash: seen.ipHash,
      nextTokenHash: refresh.hash,
    });
    if (!session) return null;
    return this.issuer.pair(undefined, { session, refreshToken: refresh.token, now });
  }

  private async exchange(
    tx: Tx,
    tokenHash: string,
    client: ClientContext,
  ): Promise<RefreshOutcome> {
    // Session and token locked in one statement, session first (the order of every other
    // writer): of two concurrent exchanges of one token, the second waits here and then
    // reads it as `used`.
    const family = await this.sessions.lockFamilyOfToken(tokenHash, tx);
    if (!family) return INVALID; // unknown token, or purged
    const { session, token } = family;
    const sessionId = session.id;
    const now = this.clock.now();
    const successor = this.issuer.successorOf(tokenHash);
    // Only a rotated token of a live family can be a retry; only then is its successor read
    // (a second statement, under the family's locks, so it sees the successor as it is now).
    const maybeRetry =
      token.status === 'used' && session.status === 'active' && this.rules.retryWindowSeconds > 0;
    const next = maybeRetry
      ? await this.sessions.tokenStatusInFamily(successor.hash, sessionId, tx)
      : null;
    const verdict = judgeRefresh({ session, token, successor: next }, now, this.rules);
    switch (verdict) {
      case 'rotate':
        return {
          kind: 'rotated',
          pair: await this.rotate(tx, { session, token, client, now }),
        };
      case 'retry':
        // Nothing changes: the successor exists and stays the family's one live token.
        return {
          kind: 'retried',
          pair: await this.issuer.pair(tx, { session, refreshToken: successor.token, now }),
        };
      case 'reuse':
        await this.killFamily(tx, session, client, now);
        return { kind: 'reused', sessionId, killedNow: true };
      case 'reuse_known':
        return { kind: 'reused', sessionId, killedNow: false };
      case 'invalid':
        return INVALID;
    }
  }

  private async rotate(
    tx: Tx,
    use: { session: Session; token: RefreshToken; client: ClientContext; now: Date },
  ): Promise<TokenPair> {
    const { session, token, now } = use;
    const seen = describeClient(use.client, this.ipHasher);
    const refresh = this.issuer.successorOf(token.tokenHash);
    await this.sessions.recordRotation(
      {
        tokenId: token.id,
        sessionId: session.id,
        at: now,
        userAgent: seen.userAgent ?? session.userAgent,
        ipHash: seen.ipHash,
        // A token never outlives its family: rotation cannot extend the absolute lifetime.
        next: { tokenHash: refresh.hash, expiresAt: session.expiresAt },
      },
      tx,
    );
    return this.issuer.pair(tx, { session, refreshToken: refresh.token, now });
  }

  /** Marks the family compromised, revokes its tokens, and records why, in one transaction. */
  private async killFamily(
    tx: Tx,
    session: Session,
    client: ClientContext,
    now: Date,
  ): Promise<void> {
    const ids = [session.id];
    await this.sessions.revokeSessions(
      ids,
      { status: 'compromised', reason: 'refresh_reused', at: now },
      tx,
    );
    await this.sessions.revokeTokensOfSessions(ids, tx);
    const base = {
      userId: session.userId,
      sessionId: session.id,
      ipHash: describeClient(client, this.ipHasher).ipHash ?? undefined,
    };
    await this.events.emit(tx, 'auth.refresh.reused', base);
    await this.events.emit(tx, 'session.revoked', {
      ...base,
      scope: 'session',
      reason: 'refresh_reused',
      sessionIds: ids,
    });
  }
}
