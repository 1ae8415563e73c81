import { Inject, Injectable } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
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
 */
@Injectable()
export class Readiness {
  private draining = false;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly db: Database,
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly protection: ProtectionStatus,
  ) {}

  /** Called at the start of a graceful shutdown, so load balancers stop sending traffic. */
  startDraining(): void {
    this.draining = true;
  }

  async check(): Promise<ReadinessReport> {
    const probe = async (key: 'postgres' | 'redis', ping: () => Promise<void>) => {
      const session = this.indicators.check(key);
      try {
        await ping();
        return session.up();
      } catch {
        return session.down();
      }
    };
    const checks: ReadinessReport['checks'] = { postgres: 'down', redis: 'down' };
    const result = await this.health
      .check([
        () => probe('postgres', () => this.db.ping()),
        () => probe('redis', () => this.kv.ping()),
      ])
      .catch((err: { response?: unknown }) => err.response);
    const details = (result as { details?: Record<string, { status: string }> } | undefined)
      ?.details;
    checks.postgres = details?.postgres?.status === 'up' ? 'up' : 'down';
    checks.redis = details?.redis?.status === 'up' ? 'up' : 'down';
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
