import { Injectable, Logger } from '@nestjs/common';

/**
 * Tracks whether the Redis-backed limiters are answering from Redis or from their in-process
 * insurance limiters. Internal; {@link ProtectionStatus} is the public face.
 */
@Injectable()
export class LimiterHealth {
  private readonly logger = new Logger('Protection');
  /** Insurance calls so far: a call that sees this move has fallen back. */
  private fallbacks = 0;
  private fellBackLast = false;

  /** True while the last settled Redis-backed call was answered by an insurance limiter. */
  get degraded(): boolean {
    return this.fellBackLast;
  }

  /** Called by an insurance limiter each time it answers in Redis' place. */
  recordFallback(): void {
    this.fallbacks += 1;
    if (this.fellBackLast) return;
    this.fellBackLast = true;
    // Once per outage: limits now hold per instance only, so N instances allow N times as much.
    this.logger.warn('redis unavailable: rate limits fall back to per-instance memory');
  }

  /**
   * Runs one Redis-backed limiter call and records how it was answered. rate-limiter-flexible
   * calls the insurance limiter before the call settles, so a counter that did not move means
   * Redis answered (an over-limit rejection is an answer too). Concurrent calls may blur which
   * one fell back; that only keeps `degraded` true a call longer, never hides an outage.
   */
  async track<T>(call: () => Promise<T>): Promise<T> {
    const before = this.fallbacks;
    try {
      return await call();
    } finally {
      if (this.fallbacks === before && this.fellBackLast) {
        this.fellBackLast = false;
        this.logger.log('redis answers again: rate limits are shared across instances');
      }
    }
  }
}
