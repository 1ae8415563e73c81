import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { KV_STORE, type KvStore } from '@identity/kv';
import { CLOCK_LEEWAY_SECONDS } from './signing-key.service';
import { RevocationSource } from './revocation-source';
import { Clock } from '@identity/kernel';

const jtiKey = (jti: string): string => `deny:jti:${jti}`;
const sidKey = (sessionId: string): string => `deny:sid:${sessionId}`;
/**
 * Present while the store holds every revocation younger than an access token can live: set
 * at the end of a rebuild from Postgres, never expires. A store that restarted empty (or was
 * flushed) has lost it with the entries, which is how the loss is noticed; an instance that
 * failed to write an entry deletes it, so every instance stops trusting the store until the
 * entry is back.
 */
const COMPLETE_KEY = 'deny:complete';
/** Entries written per batch while rebuilding (auto-pipelined by the Redis adapter). */
const REBUILD_BATCH = 500;

/** What a rebuild restored, for the log and the tests. */
export interface DenylistRebuilt {
  sessions: number;
}

/**
 * Kills access tokens before their `exp`: one token by jti (logout), or every token of some
 * sessions by session id (revocation, reuse detection, lock). Entries live only as long as a
 * token they target could, so the store never grows beyond the live tokens.
 *
 * The entries are a fast copy of Postgres, not the truth (API.md: revocation does not depend
 * on Redis alone). With the sessions context's {@link RevocationSource} bound, this instance
 * trusts "no entry" only while it knows the copy is complete: from a successful check or
 * rebuild at boot until the first kv failure (a read or write that failed, after which entries
 * may be missing) or the first read that finds {@link COMPLETE_KEY} gone (the store lost its
 * data). In between, a token without an entry is checked against its session's state in
 * Postgres, and {@link recover} (driven by `DenylistRecovery`) rewrites the copy from Postgres:
 * every session revoked within the longest an access token lives. The normal case stays one
 * kv round trip: the completeness key is read with the token's two entries.
 */
@Injectable()
export class AccessDenylist implements OnModuleDestroy {
  private readonly logger = new Logger('AccessDenylist');
  /** "No entry" means "not revoked" only while this is true. */
  private trusted: boolean;
  /** The copy must be rewritten from Postgres (not only checked for completeness). */
  private rebuildNeeded = false;
  /** This instance may have missed a write: others must stop trusting the store too. */
  private invalidate = false;
  /** Bumped by every kv failure: a rebuild that overlapped one does not restore trust. */
  private generation = 0;
  private untrustedSince: number | undefined;
  private readonly lossListeners = new Set<() => void>();
  private readonly stopWatchingKv: () => void;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly clock: Clock,
    @Optional() private readonly source?: RevocationSource,
  ) {
    this.trusted = !source;
    if (source) this.untrustedSince = Date.now();
    // A dropped connection is a loss even when no command failed: after a Redis failover the
    // new primary may lack the last entries written to the old one (replication is async),
    // while still holding the completeness key. Rewriting the copy from Postgres closes that.
    this.stopWatchingKv = kv.onConnectionLost(() =>
      this.lose('the kv connection dropped (entries written just before may be lost)'),
    );
  }

  onModuleDestroy(): void {
    this.stopWatchingKv();
  }

  /** Whether Postgres backs this denylist (a {@link RevocationSource} is bound). */
  get backedByPostgres(): boolean {
    return this.source !== undefined;
  }

  /** True while "no entry" can be taken for "not revoked" without asking Postgres (readiness). */
  isTrusted(): boolean {
    return this.trusted;
  }

  /** Calls `listener` whenever trust is lost; returns the unsubscribe function. */
  onLoss(listener: () => void): () => void {
    this.lossListeners.add(listener);
    return () => this.lossListeners.delete(listener);
  }

  /**
   * Denies one token until it expires (TTL = seconds left, at least 1).
   * @throws when the kv store cannot be reached (trust is lost until a rebuild).
   */
  async denyToken(jti: string, expiresAt: Date): Promise<void> {
    const ttl = Math.max(1, Math.ceil((expiresAt.getTime() - this.clock.nowMs()) / 1000));
    await this.write(() => this.kv.set(jtiKey(jti), '1', ttl));
  }

  /**
   * Denies every access token of these sessions at once. No access token outlives the TTL
   * (verification enforces it), so the entry needs to live no longer than that plus leeway.
   * @throws when the kv store cannot be reached (trust is lost until a rebuild).
   */
  async denySessions(sessionIds: readonly string[]): Promise<void> {
    const ttl = this.entryLifetimeSeconds();
    await this.write(() =>
      Promise.all(sessionIds.map((id) => this.kv.set(sidKey(id), '1', ttl))).then(() => undefined),
    );
  }

  /**
   * True when the token or its session has an entry; one kv round trip. Says nothing about a
   * copy that may be incomplete: {@link isRevoked} is the question to ask.
   * @throws when the kv store cannot be reached.
   */
  async isDenied(jti: string, sessionId: string): Promise<boolean> {
    const hits = await this.kv.getMany([jtiKey(jti), sidKey(sessionId)]);
    return hits.some((hit) => hit !== null);
  }

  /**
   * Whether the token (by jti) or its session was revoked. One kv round trip while the copy is
   * trusted; otherwise, for a token without an entry, the session's state in Postgres decides.
   * Without a bound source the copy is all there is: a kv failure throws (fail closed).
   * @throws when the kv store cannot be read and there is no source, or when the source (Postgres)
   *   must be asked and cannot be reached.
   */
  async isRevoked(jti: string, sessionId: string): Promise<boolean> {
    const source = this.source;
    if (!source) return this.isDenied(jti, sessionId);
    let hits: (string | null)[];
    try {
      hits = await this.kv.getMany([jtiKey(jti), sidKey(sessionId), COMPLETE_KEY]);
    } catch (err) {
      this.lose('the kv store cannot be read', err);
      return !(await source.isSessionActive(sessionId));
    }
    if (hits[0] !== null || hits[1] !== null) return true;
    if (hits[2] === null) this.noteIncomplete();
    if (this.trusted) return false;
    return !(await source.isSessionActive(sessionId));
  }

  /**
   * One recovery attempt: makes this instance trust the copy again, rewriting it from Postgres
   * when it may be incomplete (first deleting the completeness key when this instance may have
   * missed a write, so no instance trusts the store meanwhile). Returns what was rewritten, or
   * null when the copy only had to be confirmed complete. A no-op while trusted.
   * @throws when the kv store or Postgres cannot be reached (still untrusted; try again later).
   */
  async recover(): Promise<DenylistRebuilt | null> {
    const source = this.source;
    if (!source || this.trusted) return null;
    const generation = this.generation;
    await this.kvStep(async () => {
      if (this.invalidate) {
        await this.kv.delete(COMPLETE_KEY);
        this.invalidate = false;
      }
      if (!this.rebuildNeeded && (await this.kv.get(COMPLETE_KEY)) === null) {
        this.rebuildNeeded = true;
      }
    });
    if (!this.rebuildNeeded) {
      this.restore(generation, null);
      return null;
    }
    const lifetimeMs = this.entryLifetimeSeconds() * 1000;
    const nowMs = this.clock.nowMs();
    // Postgres down: still untrusted, and nothing to tell the other instances.
    const revoked = await source.revokedSince(new Date(nowMs - lifetimeMs));
    await this.kvStep(async () => {
      for (let i = 0; i < revoked.length; i += REBUILD_BATCH) {
        await Promise.all(
          revoked.slice(i, i + REBUILD_BATCH).map(({ sessionId, revokedAt }) => {
            const ttl = Math.max(1, Math.ceil((revokedAt.getTime() + lifetimeMs - nowMs) / 1000));
            return this.kv.set(sidKey(sessionId), '1', ttl);
          }),
        );
      }
      await this.kv.set(COMPLETE_KEY, new Date(nowMs).toISOString());
    });
    const rebuilt = { sessions: revoked.length };
    this.restore(generation, rebuilt);
    return rebuilt;
  }

  /** kv work of a recovery; a failure is a loss like any other (and is rethrown). */
  private async kvStep(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.lose('the denylist could not be rebuilt', err);
      throw err;
    }
  }

  private restore(generation: number, rebuilt: DenylistRebuilt | null): void {
    // A kv failure while this ran may have cost an entry written meanwhile: not trusted yet.
    if (generation !== this.generation) return;
    this.trusted = true;
    this.rebuildNeeded = false;
    const since = this.untrustedSince;
    this.untrustedSince = undefined;
    this.logger.log(
      {
        rebuiltSessions: rebuilt?.sessions ?? 0,
        afterMs: since === undefined ? undefined : Date.now() - since,
      },
      rebuilt ? 'access denylist rebuilt from Postgres' : 'access denylist complete',
    );
  }

  /** A write, or its failure recorded as a loss of trust before the error goes up. */
  private async write(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (this.source) this.lose('a denylist entry could not be written', err);
      throw err;
    }
  }

  /** A kv failure: entries may be missing here and, through this instance, for everyone. */
  private lose(reason: string, err?: unknown): void {
    if (!this.source) return;
    this.generation += 1;
    this.invalidate = true;
    this.rebuildNeeded = true;
    this.distrust(reason, err);
  }

  /** The completeness key is gone: the store lost its data, or another instance is rebuilding. */
  private noteIncomplete(): void {
    this.rebuildNeeded = true;
    this.distrust('the kv store does not hold every revocation');
  }

  private distrust(reason: string, err?: unknown): void {
    if (this.trusted) {
      this.trusted = false;
      this.untrustedSince = Date.now();
      // Once per loss, not per request; no ids: which sessions is not what an operator needs.
      this.logger.warn(
        { err: err instanceof Error ? err.message.split('\n')[0] : undefined },
        `${reason}; tokens are checked against Postgres until the denylist is rebuilt`,
      );
    }
    for (const listener of this.lossListeners) listener();
  }

  /** Seconds an entry must live: the longest an access token can, plus the clock leeway. */
  private entryLifetimeSeconds(): number {
    return this.config.jwt.accessTtl + CLOCK_LEEWAY_SECONDS;
  }
}
