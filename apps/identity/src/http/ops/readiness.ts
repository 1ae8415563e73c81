import { Inject, Injectable } from '@nestjs/common';
import { Database } from '@identity/database';
import { KV_STORE, type KvStore } from '@identity/kv';
import { ProtectionStatus } from '@identity/protection';
import { AccessDenylist } from '@identity/tokens';

export type CheckState = 'up' | 'down' | 'in_memory';

export interface ReadinessReport {
  ready: boolean;
  /**
   * `denylist` is `rebuilding` while the access-token denylist may be missing revocations
   * (Redis failed or came back empty) and is being rewritten from Postgres.
   */
  checks: { postgres: CheckState; redis: CheckState; denylist: 'up' | 'rebuilding' };
  draining: boolean;
  /** Rate limits answered by the in-process insurance limiter (Redis unreachable). */
  limitsDegraded: boolean;
}

/**
 * Readiness: Postgres and Redis both answer, the access-token denylist holds every recent
 * revocation (tokens are then judged with one kv read; until it is rebuilt each one costs a
 * Postgres read, so the instance says it is not ready), and the process is not draining. On
 * the embedded default the kv is in memory (reported as `in_memory`, which is ready).
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
    private readonly denylist: AccessDenylist,
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
    const checks: ReadinessReport['checks'] = {
      postgres,
      redis,
      denylist: this.denylist.isTrusted() ? 'up' : 'rebuilding',
    };
    if (this.kv.kind === 'memory' && checks.redis === 'up') checks.redis = 'in_memory';
    const ready =
      !this.draining &&
      checks.postgres !== 'down' &&
      checks.redis !== 'down' &&
      checks.denylist === 'up';
    return {
      ready,
      checks,
      draining: this.draining,
      limitsDegraded: this.protection.degraded(),
    };
  }
}
