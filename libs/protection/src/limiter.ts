import { Inject, Injectable } from '@nestjs/common';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { KV_STORE, type KvStore, RedisKvStore } from '@identity/kv';
import { LimiterHealth } from './limiter-health';
import { type ProtectionErrorCode, ThrottledError } from './protection.errors';
import { RefusalTally } from './refusal-tally';

/** A counter's state: points consumed in the current window, and ms until the window ends. */
export interface Count {
  consumed: number;
  msBeforeNext: number;
}

/** What one limiter counts: its own key prefix, its budget and its window. */
export interface LimiterSpec {
  /** Unique per limiter (`rl:login-pair`); the kv's own prefix is applied on top by ioredis. */
  keyPrefix: string;
  /** Points per window; a pure counter passes `Number.MAX_SAFE_INTEGER`. */
  points: number;
  /** Window in whole seconds, counted from the first point (a fixed window). */
  durationSeconds: number;
}

type MemoryOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/**
 * The in-process stand-in for Redis (rate-limiter-flexible's `insuranceLimiter`), which tells
 * {@link LimiterHealth} every time it answers, so readiness can say limits are per instance.
 */
class InsuranceLimiter extends RateLimiterMemory {
  constructor(
    options: MemoryOptions,
    private readonly health: LimiterHealth,
  ) {
    super(options);
  }

  override consume(...args: Parameters<RateLimiterMemory['consume']>): Promise<RateLimiterRes> {
    this.health.recordFallback();
    return super.consume(...args);
  }

  override get(...args: Parameters<RateLimiterMemory['get']>): Promise<RateLimiterRes | null> {
    this.health.recordFallback();
    return super.get(...args);
  }

  override block(...args: Parameters<RateLimiterMemory['block']>): Promise<RateLimiterRes> {
    this.health.recordFallback();
    return super.block(...args);
  }

  override delete(...args: Parameters<RateLimiterMemory['delete']>): Promise<boolean> {
    this.health.recordFallback();
    return super.delete(...args);
  }

  override reward(...args: Parameters<RateLimiterMemory['reward']>): Promise<RateLimiterRes> {
    this.health.recordFallback();
    return super.reward(...args);
  }
}

/**
 * One rate-limiter-flexible limiter behind the few operations the throttles need, with its
 * over-limit rejections turned into plain counts: the throttles decide what a count means.
 */
export class Limiter {
  constructor(
    private readonly limiter: RateLimiterAbstract,
    /** Set for Redis-backed limiters, whose calls may fall back to the insurance limiter. */
    private readonly health?: LimiterHealth,
    /** Where refusals are counted, under {@link name}. */
    private readonly tally?: RefusalTally,
    /** The limiter's name in metrics: its key prefix without `rl:` (`login-lock`). */
    readonly name = '',
  ) {}

  /**
   * The error for a request this limiter refuses (counted, by limiter name, for metrics),
   * with the wait until `count`'s window ends.
   */
  refuse(code: ProtectionErrorCode, count: Count): ThrottledError {
    this.tally?.record(this.name);
    return ThrottledError.after(code, count.msBeforeNext);
  }

  /** Points per window. */
  get points(): number {
    return this.limiter.points;
  }

  /**
   * Adds `points` (default one) and returns the count after them, past the budget too (never
   * rejects for that).
   */
  hit(key: string, points = 1): Promise<Count> {
    return this.run(() =>
      this.limiter.consume(key, points).then(toCount, (rejection: unknown) => {
        // rate-limiter-flexible rejects with the result itself when the budget is exceeded.
        if (rejection instanceof RateLimiterRes) return toCount(rejection);
        throw rejection;
      }),
    );
  }

  /**
   * Takes one point if the budget has one left, atomically: of any number of concurrent takes,
   * exactly as many succeed as points were left. A refused take gives its point back, unless
   * `keepRefused`: for a limiter that {@link block}s, whose block overwrites the count, a
   * give-back landing after a block would eat into it (a refused take is then simply forgotten
   * with the key when the block or the window ends).
   */
  async take(
    key: string,
    options: { keepRefused?: boolean } = {},
  ): Promise<{ ok: boolean; count: Count }> {
    const count = await this.hit(key);
    if (count.consumed <= this.points) return { ok: true, count };
    if (!options.keepRefused) await this.giveBack(key);
    return { ok: false, count };
  }

  /** Returns one point (an attempt that turned out not to count, or a refused take). */
  async giveBack(key: string): Promise<void> {
    await this.run(() => this.limiter.reward(key, 1));
  }

  /** The current count, without adding to it; null when nothing was counted in this window. */
  async peek(key: string): Promise<Count | null> {
    const res = await this.run(() => this.limiter.get(key));
    return res ? toCount(res) : null;
  }

  /** Whether `count` is a block set by {@link block} (more points than the budget holds). */
  isBlocked(count: Count | null): count is Count {
    return count !== null && count.consumed > this.points;
  }

  /** Marks the key as over budget for `seconds` (a lock), replacing any count it had. */
  async block(key: string, seconds: number): Promise<void> {
    await this.run(() => this.limiter.block(key, seconds));
  }

  /** Forgets the key's count (and any block). */
  async reset(key: string): Promise<void> {
    await this.run(() => this.limiter.delete(key));
  }

  private run<T>(call: () => Promise<T>): Promise<T> {
    return this.health ? this.health.track(call) : call();
  }
}

function toCount(res: RateLimiterRes): Count {
  return { consumed: res.consumedPoints, msBeforeNext: res.msBeforeNext };
}

/**
 * Builds the limiters on the kv store the app runs with: Redis-backed (so the limits hold
 * across every instance) with an in-process insurance limiter for outages, or in-memory on
 * the embedded default (a single instance by design).
 */
@Injectable()
export class LimiterFactory {
  constructor(
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly health: LimiterHealth,
    private readonly tally: RefusalTally,
  ) {}

  create(spec: LimiterSpec): Limiter {
    const name = spec.keyPrefix.replace(/^rl:/, '');
    this.tally.register(name);
    const options: MemoryOptions = {
      keyPrefix: spec.keyPrefix,
      points: spec.points,
      duration: spec.durationSeconds,
    };
    if (this.kv.kind === 'memory') {
      return new Limiter(new RateLimiterMemory(options), undefined, this.tally, name);
    }
    if (!(this.kv instanceof RedisKvStore)) {
      throw new Error(
        'protection: a redis kv store must be a RedisKvStore (limiters need its client)',
      );
    }
    const limiter = new RateLimiterRedis({
      ...options,
      // Already prefixed with the kv's keyPrefix: limiter keys land under `<kv prefix>rl:...`.
      storeClient: this.kv.client,
      // Straight to the insurance limiter while disconnected, rather than each call waiting on a
      // command to fail.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new InsuranceLimiter(options, this.health),
    });
    return new Limiter(limiter, this.health, this.tally, name);
  }
}
