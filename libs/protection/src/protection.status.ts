import { Injectable } from '@nestjs/common';
import { LimiterHealth } from './limiter-health';
import { RefusalTally } from './refusal-tally';

/** What readiness and metrics may ask the protection context. */
@Injectable()
export class ProtectionStatus {
  constructor(
    private readonly health: LimiterHealth,
    private readonly tally: RefusalTally,
  ) {}

  /**
   * Requests refused (429) by each limiter since this instance started, by limiter name
   * (`login-lock`, `login-email`, `login-ip`, `mfa-user`, `mail-email`, `mail-ip`, `auth-ip`);
   * every limiter is listed, with 0 until it first refuses. Live view: do not keep it.
   */
  refusals(): ReadonlyMap<string, number> {
    return this.tally.snapshot();
  }

  /**
   * True while limits are enforced per instance only: the last Redis-backed limiter call found
   * Redis unavailable and was answered by the in-process insurance limiter. Always false on the
   * in-memory kv (single instance by design). Readiness can report it; requests still succeed.
   */
  degraded(): boolean {
    return this.health.degraded;
  }
}
