import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@identity/database';
import { KV_STORE, type KvStore } from '@identity/kv';
import { ProtectionStatus } from '@identity/protection';

export type CheckState = 'up' | 'down' | 'in_memory';

export interface ReadinessReport {
  ready: boolean;
  checks: { postgres: CheckState; redis: CheckState };
  draining: boolean;
  /** Rate limits answered by the in-process insurance limiter (Redis unreachable). */
  limitsDegraded: boolean;
}

/**
 * Readiness: Postgres and Redis both answer, and the process is not draining. On the
 * embedded default the kv is in memory (reported as `in_memory`, which is ready).
 *
 * Plain code rather than `@nestjs/terminus`: the answer is API.md's (problem+json naming what
 * failed), not terminus' `{ status, info, error, details }`, so terminus only added an
 * exception round trip around two pings that run in parallel here.
 */
@Injectable()
export class Readiness {
  private draining = false;

  constructor(
    private readonly db: Database,
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly protection: ProtectionStatus,
  ) {}

  /** Called at the start of a graceful shutdown, so load balancers stop sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  async check(): Promise<ReadinessReport> {
    const state = (ping: Promise<void>): Promise<CheckState> =>
      ping.then(
        () => 'up',
        () => 'down',
      );
    const [postgres, redis] = await Promise.all([state(this.db.ping()), state(this.kv.ping())]);
    const checks: ReadinessReport['checks'] = { postgres, redis };
    if (this.kv.kind === 'memory' && checks.redis === 'up') checks.redis = 'in_memory';
    const ready = !this.draining && checks.postgres !== 'down' && checks.redis !== 'down';
    return {
      ready,
      checks,
      draining: this.draining,
      limitsDegraded: this.protection.degraded(),
    };
  }
}
