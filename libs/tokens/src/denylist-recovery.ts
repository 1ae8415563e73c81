import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AccessDenylist } from './access-denylist';

/** Pause between two recovery attempts while the kv store or Postgres is still away. */
const RETRY_MS = 1_000;

/**
 * Keeps the access denylist complete: at boot it checks that the kv store holds every recent
 * revocation (or rewrites them from Postgres), and whenever the denylist loses trust (a kv
 * failure, a store that came back empty) it retries {@link AccessDenylist.recover} every
 * second until it succeeds. Meanwhile tokens are checked against Postgres and readiness says
 * the instance is not ready. Does nothing when no `RevocationSource` is bound.
 */
@Injectable()
export class DenylistRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DenylistRecovery');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private unsubscribe: (() => void) | undefined;
  private lastFailure: string | undefined;

  constructor(private readonly denylist: AccessDenylist) {}

  /** The first attempt is awaited, so an instance with both stores up starts ready. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.denylist.backedByPostgres) return;
    this.unsubscribe = this.denylist.onLoss(() => this.schedule(0));
    await this.attempt();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One attempt now (tests, and the first one at boot); retries are scheduled on failure. */
  attempt(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      // Still untrusted (this attempt failed, or trust was lost again while it ran): retry.
      if (!this.denylist.isTrusted()) this.schedule(RETRY_MS);
    });
    return this.running;
  }

  private async run(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    try {
      await this.denylist.recover();
      this.lastFailure = undefined;
    } catch (err) {
      const message = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
      // One line per kind of failure, not one per second of an outage.
      if (message !== this.lastFailure) {
        this.lastFailure = message;
        this.logger.warn({ err: message }, 'access denylist not rebuilt yet; retrying');
      }
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.timer || this.running) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, delayMs);
    // Housekeeping never keeps a process (or a test run) alive.
    this.timer.unref();
  }
}
