import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SessionRepository } from './session.repository';
import { Clock } from '@identity/kernel';

/** Expired families are kept this long, so support can still see why a refresh failed. */
const EXPIRED_GRACE_MS = 86_400_000;

/**
 * Deletes dead sessions (their refresh tokens go by ON DELETE CASCADE), every `PURGE_INTERVAL`
 * seconds on every instance; concurrent purges on several instances are harmless, they delete
 * the same rows once. Revoked and compromised families are kept for `REFRESH_TOKEN_TTL`, the
 * longest one of their tokens could have been presented, so a late replay still meets its
 * family and answers `refresh_reused` rather than "unknown".
 */
@Injectable()
export class SessionPurgeJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SessionPurgeJob');
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<void> | undefined;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly sessions: SessionRepository,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    const intervalMs = this.config.sessions.purgeInterval * 1000;
    // A first run at a random point of the first interval: instances restarted more often than
    // the interval still purge, and a fleet started together does not purge in lockstep.
    const first = setTimeout(() => this.tick(), Math.floor(Math.random() * intervalMs));
    const every = setInterval(() => this.tick(), intervalMs);
    // Housekeeping must never keep the process (or a test run) alive.
    first.unref();
    every.unref();
    this.timers = [first, every];
  }

  /** Stops the timers and waits for a purge in flight, while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
    await this.running;
  }

  /**
   * One purge, now (for tests and operators). Returns how many sessions were deleted.
   * @throws whatever the database throws.
   */
  purgeOnce(): Promise<number> {
    const now = this.clock.nowMs();
    return this.sessions.purge({
      expiredBefore: new Date(now - EXPIRED_GRACE_MS),
      revokedBefore: new Date(now - this.config.sessions.refreshTtl * 1000),
    });
  }

  private tick(): void {
    // A slow purge is not stacked up behind itself: the next tick catches up.
    if (this.running) return;
    this.running = this.purgeOnce()
      .then((deleted) => {
        if (deleted > 0) this.logger.log({ deleted }, 'purged dead sessions');
      })
      .catch((err: unknown) => {
        this.logger.warn(
          { err: err instanceof Error ? err.message : String(err) },
          'session purge failed; retrying at the next interval',
        );
      })
      .finally(() => {
        this.running = undefined;
      });
  }
}
