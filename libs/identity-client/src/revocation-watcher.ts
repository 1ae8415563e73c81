import type { ClientReadableStream } from '@grpc/grpc-js';
import type { RevocationEvent__Output } from './generated/identity/v1/RevocationEvent';
import type { WatchRevocationsRequest } from './generated/identity/v1/WatchRevocationsRequest';
import type { ResolvedOptions } from './identity-client.options';
import type { PermissionCache } from './permission-cache';
import type { RevocationList } from './revocation-list';

/** Opens the stream (PlatformGrpc.watchRevocations); a seam for tests of this class. */
export type OpenStream = (
  request: WatchRevocationsRequest,
) => ClientReadableStream<RevocationEvent__Output>;

/** Where the watcher stands, for health checks and logs. */
export interface WatcherStatus {
  connected: boolean;
  /** The open stream has finished its replay. */
  caughtUp: boolean;
  /** Resume point: the cursor of the last message applied (`'0'` before any). */
  cursor: string;
  /** When a caught-up stream last proved complete (epoch ms), if ever. */
  syncedAt: number | undefined;
  reconnects: number;
}

/** Something to log (no token, no PII: ids of the platform at most). */
export type WatcherLog = (level: 'log' | 'warn', message: string) => void;

/**
 * Keeps {@link RevocationList} and {@link PermissionCache} in step with the platform through
 * `WatchRevocations`, forever: on any end of the stream it reconnects with backoff and resumes
 * after the last cursor it applied, so nothing still in force is missed across a dropped
 * connection or a platform restart. A fresh process starts from `'0'` (every revocation still
 * in force).
 *
 * {@link inSync} is the one question the authenticator asks: did a caught-up stream prove
 * itself complete (heartbeat or event) within `maxStalenessMs`? A stream that goes silent for
 * three heartbeats is presumed dead (a half-open connection) and replaced.
 */
export class RevocationWatcher {
  private stream: ClientReadableStream<RevocationEvent__Output> | undefined;
  private cursor = '0';
  private caughtUp = false;
  private syncedAt: number | undefined;
  private lastMessageAt = 0;
  private failures = 0;
  private reconnects = 0;
  private stopped = true;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchdog: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly caughtUpWaiters = new Set<() => void>();

  constructor(
    private readonly open: OpenStream,
    private readonly revocations: RevocationList,
    private readonly permissions: PermissionCache,
    private readonly options: ResolvedOptions['revocations'],
    private readonly log: WatcherLog,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
    this.watchdog = setInterval(() => this.checkAlive(), this.options.heartbeatMs);
    this.watchdog.unref();
    this.sweeper = setInterval(() => this.revocations.sweep(this.now()), 30_000);
    this.sweeper.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    clearInterval(this.sweeper);
    const stream = this.stream;
    this.stream = undefined;
    stream?.cancel();
    for (const wake of [...this.caughtUpWaiters]) wake();
  }

  /** True while local verification may be trusted (see the class comment). */
  inSync(): boolean {
    return this.syncedAt !== undefined && this.now() - this.syncedAt <= this.options.maxStalenessMs;
  }

  status(): WatcherStatus {
    return {
      connected: this.stream !== undefined,
      caughtUp: this.caughtUp,
      cursor: this.cursor,
      syncedAt: this.syncedAt,
      reconnects: this.reconnects,
    };
  }

  /** Resolves true once in sync, or false after `timeoutMs` (or on stop). */
  whenInSync(timeoutMs: number): Promise<boolean> {
    if (this.inSync()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.caughtUpWaiters.delete(done);
        resolve(this.inSync());
      };
      const timer = setTimeout(done, timeoutMs);
      this.caughtUpWaiters.add(done);
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.caughtUp = false;
    this.lastMessageAt = this.now();
    const stream = this.open({ after: this.cursor, heartbeat_ms: this.options.heartbeatMs });
    this.stream = stream;
    stream.on('data', (event: RevocationEvent__Output) => {
      if (this.stream === stream) this.apply(event);
    });
    stream.on('error', (err: Error & { code?: number }) => {
      // A stream this watcher cancelled (stop, or the watchdog) is no longer `this.stream`.
      if (this.stream === stream) this.ended(stream, err.message);
    });
    stream.on('end', () => {
      if (this.stream === stream) this.ended(stream, 'the platform ended the stream');
    });
  }

  private ended(stream: ClientReadableStream<RevocationEvent__Output>, why: string): void {
    if (this.stream !== stream) return;
    this.stream = undefined;
    this.caughtUp = false;
    if (this.stopped) return;
    this.failures += 1;
    const delay = Math.min(
      this.options.maxBackoffMs,
      this.options.initialBackoffMs * 2 ** Math.min(this.failures - 1, 16),
    );
    // ±20 % jitter, so many services do not all come back at the same instant.
    const jittered = Math.round(delay * (0.8 + Math.random() * 0.4));
    if (this.failures === 1 || this.failures % 10 === 0)
      this.log('warn', `revocation stream down (${why}); reconnecting in ${jittered} ms`);
    this.retryTimer = setTimeout(() => {
      this.reconnects += 1;
      this.connect();
    }, jittered);
    this.retryTimer.unref();
  }

  /** A stream that stopped talking (no heartbeat for three intervals) is replaced. */
  private checkAlive(): void {
    const stream = this.stream;
    if (!stream || this.now() - this.lastMessageAt <= this.options.heartbeatMs * 3) return;
    this.ended(stream, 'no heartbeat');
    stream.cancel();
  }

  private apply(event: RevocationEvent__Output): void {
    this.lastMessageAt = this.now();
    switch (event.event) {
      case 'sessions_revoked': {
        const e = event.sessions_revoked!;
        this.revocations.revokeSessions(e.session_ids, e.until * 1000);
        break;
      }
      case 'user_locked': {
        const e = event.user_locked!;
        this.revocations.lockUser(e.user_id, e.until * 1000);
        this.permissions.dropUser(e.user_id);
        break;
      }
      case 'user_unlocked':
        this.revocations.unlockUser(event.user_unlocked!.user_id);
        break;
      case 'user_access_changed':
        this.permissions.dropUser(event.user_access_changed!.user_id);
        break;
      case 'role_changed':
        this.permissions.dropRole(event.role_changed!.role);
        break;
      case 'caught_up':
        // Whatever was cached while the stream was away may have missed a change that the
        // replay no longer holds (older than the platform's window): start the cache afresh.
        this.permissions.clear();
        this.caughtUp = true;
        if (this.failures > 0) this.log('log', 'revocation stream back and caught up');
        this.failures = 0;
        break;
      case 'heartbeat':
      case undefined:
        break;
    }
    if (event.cursor) this.cursor = event.cursor;
    if (this.caughtUp) {
      this.syncedAt = this.now();
      for (const wake of [...this.caughtUpWaiters]) wake();
    }
  }
}
