import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Database, isDatabaseUnavailable } from '@identity/database';
import { isKvUnavailable, KV_STORE, type KvStore } from '@identity/kv';

/** Seconds a client is asked to wait when Postgres or Redis is down (HTTP `Retry-After`). */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** How often a dependency that is down is probed, to log when it is back. */
const PROBE_MS = 1_000;

/**
 * True when `err` says Postgres or Redis is down or unreachable rather than that the request
 * or the code is wrong. Both transports' error filters answer these "try again shortly"
 * (HTTP 503 `unavailable` with Retry-After, gRPC UNAVAILABLE, which gRPC clients retry)
 * instead of a 500 or INTERNAL that says "bug".
 */
export function isDependencyUnavailable(err: unknown): boolean {
  return isDatabaseUnavailable(err) || isKvUnavailable(err);
}

export type Dependency = 'postgres' | 'redis';

/** Which dependency `err` says is down, if any. */
export function unavailableDependency(err: unknown): Dependency | undefined {
  if (isDatabaseUnavailable(err)) return 'postgres';
  if (isKvUnavailable(err)) return 'redis';
  return undefined;
}

interface Outage {
  since: number;
  /** Requests and calls answered "unavailable" during it. */
  answered: number;
  probe: NodeJS.Timeout;
}

/**
 * One warning per outage, not one per request: during an outage every request fails the same
 * way, and a line each would bury everything else (each request still has its own access log
 * line, with its request id and the 503). The first unavailable answer logs which dependency
 * is down (and the first request id that met it); a probe then pings it every second and logs
 * once when it answers again, with how long it was away and how many answers it cost.
 */
@Injectable()
export class DependencyOutages implements OnApplicationShutdown {
  private readonly logger = new Logger('DependencyOutage');
  private readonly outages = new Map<Dependency, Outage>();

  constructor(
    private readonly db: Database,
    @Inject(KV_STORE) private readonly kv: KvStore,
  ) {}

  /** Records an answer of "unavailable" caused by `err` (a no-op for any other error). */
  report(err: unknown, context: { transport: 'http' | 'grpc' | 'socket'; reqId?: unknown }): void {
    const dependency = unavailableDependency(err);
    if (!dependency) return;
    const outage = this.outages.get(dependency);
    if (outage) {
      outage.answered += 1;
      return;
    }
    const probe = setInterval(() => void this.probe(dependency), PROBE_MS);
    probe.unref();
    this.outages.set(dependency, { since: Date.now(), answered: 1, probe });
    this.logger.warn(
      { dependency, transport: context.transport, reqId: context.reqId, err: firstLine(err) },
      `${dependency} unavailable: answering 503 unavailable until it is back (logged once per outage)`,
    );
  }

  /** Dependencies currently known to be down (tests, diagnostics). */
  down(): Dependency[] {
    return [...this.outages.keys()];
  }

  onApplicationShutdown(): void {
    for (const outage of this.outages.values()) clearInterval(outage.probe);
    this.outages.clear();
  }

  private async probe(dependency: Dependency): Promise<void> {
    const outage = this.outages.get(dependency);
    if (!outage) return;
    try {
      await (dependency === 'postgres' ? this.db.ping() : this.kv.ping());
    } catch {
      return;
    }
    if (this.outages.get(dependency) !== outage) return;
    clearInterval(outage.probe);
    this.outages.delete(dependency);
    this.logger.log(
      { dependency, downMs: Date.now() - outage.since, answeredUnavailable: outage.answered },
      `${dependency} is back`,
    );
  }
}

/** Makes {@link DependencyOutages} injectable in every module (the filters of each transport). */
@Global()
@Module({ providers: [DependencyOutages], exports: [DependencyOutages] })
export class DependencyOutageModule {}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}
