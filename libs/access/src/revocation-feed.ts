import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type AuditLogEntry, AuditLogRepository, EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Clock } from '@identity/kernel';
import { KV_STORE, type KvStore } from '@identity/kv';
import {
  REVOCATION_EVENT_TYPES,
  type RevocationChange,
  toRevocationChange,
} from './revocation-changes';

/** Says "a revocation or access change committed; read the log" to every instance. */
export const REVOCATIONS_CHANNEL = 'revocations.committed';

/** One message of a watch, in the order it must be applied. */
export type FeedMessage =
  | { kind: 'change'; cursor: string; at: Date; change: RevocationChange }
  /** The replay asked for is complete; live from here. */
  | { kind: 'caught_up'; cursor: string; at: Date }
  /** Nothing happened for the heartbeat interval; complete up to `cursor`. */
  | { kind: 'heartbeat'; cursor: string; at: Date };

/** Where a watch sends its messages. */
export interface FeedSink {
  next(message: FeedMessage): void;
  /** The watch cannot go on (its replay could not be read); the subscriber reconnects. */
  error(err: unknown): void;
  /** The instance is shutting down; the subscriber reconnects (elsewhere). */
  complete(): void;
}

export interface WatchRequest {
  /** `''` = from now; `'0'` = everything still in force; else a cursor (decimal id). */
  after: string;
  heartbeatMs: number;
}

/** A decimal audit id of at most 19 digits (a Postgres bigint), or `'0'`. */
export function isFeedCursor(value: string): boolean {
  return /^(0|[1-9]\d{0,18})$/.test(value) && BigInt(value) <= 9_223_372_036_854_775_807n;
}

/**
 * Rows read per query. A page boundary is safe anywhere: reading resumes after the last id.
 */
const PAGE = 500;
/**
 * Safety net of the push: pub/sub is fire-and-forget (a message is lost while Redis
 * reconnects, or while it is down), so while anyone watches, the log is read this often too.
 */
const SAFETY_POLL_MS = 1_000;
/** The most leeway a verifier may allow on `exp` (API.md): revocations outlive tokens by it. */
const EXP_LEEWAY_MS = 5_000;
/**
 * How far the times of audit rows may run out of id order (clocks of several instances):
 * a replay walking backwards stops only once rows are this much older than it needs.
 */
const CLOCK_SKEW_MS = 60_000;

class Watcher {
  /** Everything up to this id has been sent (or was not asked for). */
  position = 0n;
  live = false;
  closed = false;
  private buffered: { id: bigint; message: FeedMessage }[] = [];
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly sink: FeedSink,
    private readonly heartbeatMs: number,
    private readonly beat: (watcher: Watcher) => void,
  ) {}

  /** A change of the log: sent if newer than what this watcher has, held while replaying. */
  offer(id: bigint, message: FeedMessage): void {
    if (this.closed) return;
    if (!this.live) {
      this.buffered.push({ id, message });
      return;
    }
    if (id <= this.position) return;
    this.position = id;
    this.send(message);
  }

  /** Ends the replay: `caught_up`, then what arrived meanwhile, then live. */
  goLive(caughtUp: FeedMessage): void {
    if (this.closed) return;
    this.send(caughtUp);
    this.live = true;
    const held = this.buffered;
    this.buffered = [];
    for (const { id, message } of held) this.offer(id, message);
  }

  send(message: FeedMessage): void {
    if (this.closed) return;
    this.sink.next(message);
    this.arm();
  }

  fail(err: unknown): void {
    if (this.closed) return;
    this.stop();
    this.sink.error(err);
  }

  end(): void {
    if (this.closed) return;
    this.stop();
    this.sink.complete();
  }

  stop(): void {
    this.closed = true;
    this.buffered = [];
    clearTimeout(this.heartbeat);
  }

  private arm(): void {
    clearTimeout(this.heartbeat);
    this.heartbeat = setTimeout(() => this.beat(this), this.heartbeatMs);
    this.heartbeat.unref();
  }
}

/**
 * The revocation feed of `WatchRevocations`: every {@link RevocationChange} as it commits on
 * any instance, with a durable cursor, the id of the change's `audit_log` row.
 *
 * Postgres is the truth and the log is read, never the messages: the audit trail takes ids in
 * commit order (`AuditLogRepository.newestId`), so "every row of these types with an id in
 * (cursor, newest]" is exactly what a subscriber at `cursor` has not seen, on any instance,
 * after any restart. The kv channel {@link REVOCATIONS_CHANNEL} only wakes the instances up:
 * the one that commits announces it, each instance with watchers then reads the new stretch
 * once and fans it out. A lost announcement costs at most {@link SAFETY_POLL_MS}.
 *
 * A watch first replays (per event type, newest first, only rows still in force: a revocation
 * matters for the access-token lifetime plus the exp leeway), then says `caught_up`, then goes
 * live; what the instance read meanwhile is held and sent after the replay, without repeats.
 */
@Injectable()
export class RevocationFeed implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('RevocationFeed');
  private readonly watchers = new Set<Watcher>();
  /** Everything up to here has been offered to the watchers; undefined while nobody watches. */
  private watermark: bigint | undefined;
  private watermarkLoad: Promise<bigint> | undefined;
  /** Bumped when the watermark is dropped, so a read begun before cannot deliver after. */
  private generation = 0;
  private reading: Promise<void> | undefined;
  private readAgain = false;
  private lastReadFailed = false;
  private ticker: NodeJS.Timeout | undefined;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    private readonly audit: AuditLogRepository,
    private readonly events: EventBus,
    @Inject(KV_STORE) private readonly kv: KvStore,
    @InjectConfig() private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    try {
      this.unsubscribe = await this.kv.subscribe(REVOCATIONS_CHANNEL, () => this.poke());
    } catch (err) {
      // Boot anyway: the safety poll still delivers, a second later.
      this.warn(`could not subscribe to ${REVOCATIONS_CHANNEL}`, err);
    }
    for (const type of REVOCATION_EVENT_TYPES) {
      this.events.onCommitted(type, () => this.announce());
    }
  }

  async onModuleDestroy(): Promise<void> {
    for (const watcher of [...this.watchers]) watcher.end();
    this.watchers.clear();
    this.idle();
    await this.unsubscribe?.().catch((err: unknown) => this.warn('unsubscribe failed', err));
    this.unsubscribe = undefined;
  }

  /** How many watches this instance serves (a gauge for /metrics). */
  get watching(): number {
    return this.watchers.size;
  }

  /**
   * Starts a watch: the replay `request.after` asks for, `caught_up`, then live messages and
   * heartbeats until {@link FeedWatch.close}. Pass a valid {@link isFeedCursor} or `''`.
   */
  watch(request: WatchRequest, sink: FeedSink): { close(): void } {
    const watcher = new Watcher(sink, request.heartbeatMs, (w) => this.heartbeat(w));
    this.watchers.add(watcher);
    this.ticker ??= setInterval(() => this.poke(), SAFETY_POLL_MS);
    this.ticker.unref();
    this.start(watcher, request.after).catch((err: unknown) => {
      this.warn('a watch could not start', err);
      this.drop(watcher);
      watcher.fail(err);
    });
    return {
      close: () => {
        watcher.stop();
        this.drop(watcher);
      },
    };
  }

  private async start(watcher: Watcher, after: string): Promise<void> {
    const upTo = await this.currentWatermark();
    if (after === '') {
      watcher.position = upTo;
    } else {
      const from = BigInt(after);
      for (const entry of await this.replay(from, upTo)) {
        const message = this.toMessage(entry);
        if (message) watcher.send(message);
      }
      watcher.position = from > upTo ? from : upTo;
    }
    watcher.goLive({ kind: 'caught_up', cursor: String(watcher.position), at: this.clock.now() });
  }

  /** Every row still in force with an id in (after, upTo], oldest first. */
  private async replay(after: bigint, upTo: bigint): Promise<AuditLogEntry[]> {
    if (after >= upTo) return [];
    const inForceAfter = this.clock.nowMs() - this.config.jwt.accessTtl * 1000 - EXP_LEEWAY_MS;
    const found: AuditLogEntry[] = [];
    for (const type of REVOCATION_EVENT_TYPES) {
      let below = upTo + 1n;
      for (;;) {
        const page = await this.audit.listNewestOfType({
          type,
          after: String(after),
          below: String(below),
          limit: PAGE,
        });
        for (const entry of page) {
          if (entry.createdAt.getTime() > inForceAfter) found.push(entry);
        }
        const oldest = page.at(-1);
        if (
          !oldest ||
          page.length < PAGE ||
          oldest.createdAt.getTime() < inForceAfter - CLOCK_SKEW_MS
        ) {
          break;
        }
        below = BigInt(oldest.id);
      }
    }
    return found.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  /** The watermark, read from the log when this instance starts watching. */
  private currentWatermark(): Promise<bigint> {
    if (this.watermark !== undefined) return Promise.resolve(this.watermark);
    const generation = this.generation;
    this.watermarkLoad ??= this.audit
      .newestId()
      .then((id) => {
        if (generation === this.generation && this.watermark === undefined) {
          this.watermark = BigInt(id);
        }
        return this.watermark ?? BigInt(id);
      })
      .finally(() => {
        this.watermarkLoad = undefined;
      });
    return this.watermarkLoad;
  }

  /** Announces a committed change here and to every other instance. */
  private announce(): void {
    this.poke();
    this.kv.publish(REVOCATIONS_CHANNEL, '1').catch((err: unknown) => {
      this.warn(`could not publish on ${REVOCATIONS_CHANNEL}`, err);
    });
  }

  /** Reads the new stretch of the log (once more if asked while reading). */
  private poke(): void {
    if (this.watchers.size === 0 || this.watermark === undefined) return;
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = this.readLoop().finally(() => {
      this.reading = undefined;
    });
  }

  private async readLoop(): Promise<void> {
    do {
      this.readAgain = false;
      try {
        await this.readNew();
        this.lastReadFailed = false;
      } catch (err) {
        if (!this.lastReadFailed) this.warn('could not read the audit log; retrying', err);
        this.lastReadFailed = true;
        return;
      }
    } while (this.readAgain);
  }

  private async readNew(): Promise<void> {
    const generation = this.generation;
    const from = this.watermark;
    if (from === undefined) return;
    const top = BigInt(await this.audit.newestId());
    let after = from;
    while (after < top) {
      const rows = await this.audit.listRange({
        types: REVOCATION_EVENT_TYPES,
        after: String(after),
        upTo: String(top),
        limit: PAGE,
      });
      if (generation !== this.generation) return;
      for (const entry of rows) {
        const message = this.toMessage(entry);
        if (!message) continue;
        const id = BigInt(entry.id);
        for (const watcher of this.watchers) watcher.offer(id, message);
      }
      const last = rows.at(-1);
      after = rows.length < PAGE || !last ? top : BigInt(last.id);
      // Only now: a watch starting meanwhile replays up to the old mark and gets the rest above.
      this.watermark = after;
    }
  }

  /**
   * A heartbeat says "complete up to here": only for live watchers, and only while this
   * instance can read the log (else the silence is the truth and the subscriber falls back).
   */
  private heartbeat(watcher: Watcher): void {
    if (!watcher.live || watcher.closed) return;
    if (this.lastReadFailed) {
      // Re-armed without a message: the subscriber sees silence and judges the stream stale.
      setTimeout(() => this.heartbeat(watcher), 1_000).unref();
      return;
    }
    const mark = this.watermark ?? watcher.position;
    if (mark > watcher.position) watcher.position = mark;
    watcher.send({ kind: 'heartbeat', cursor: String(watcher.position), at: this.clock.now() });
  }

  private toMessage(entry: AuditLogEntry): FeedMessage | null {
    const change = toRevocationChange(entry, this.config.jwt.accessTtl);
    return change ? { kind: 'change', cursor: entry.id, at: entry.createdAt, change } : null;
  }

  private drop(watcher: Watcher): void {
    this.watchers.delete(watcher);
    if (this.watchers.size === 0) this.idle();
  }

  /** Nobody watches: stop reading, and forget the mark (the next watch reads it afresh). */
  private idle(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.watermark = undefined;
    this.generation += 1;
  }

  private warn(message: string, err: unknown): void {
    this.logger.warn(`${message}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
