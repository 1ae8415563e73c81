import { Injectable } from '@nestjs/common';
import { LimiterHealth } from './limiter-health';

/** What readiness and metrics may ask the protection context. */
@Injectable()
export class ProtectionStatus {
  constructor(private readonly health: LimiterHealth) {}

  /**
   * True while limits are enforced per instance only: the last Redis-backed limiter call found
   * Redis unavailable and was answered by the in-process insurance limiter. Always false on the
   * in-memory kv (single instance by design). Readiness can report it; requests still succeed.
   */
  degraded(): boolean {
    return this.health.degraded;
  }
}
