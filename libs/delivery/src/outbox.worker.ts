import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { DeliveryError, describeDeliveryError } from './delivery.errors';
import type { OutboxEntity, OutboxKind, OutboxPayload } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { decideRetry } from './outbox.retry';

/** Which row a handler is sending; `id` is stable across retries (an idempotency key). */
export interface OutboxDeliveryContext {
  id: string;
  /** 1 for the first try. */
  attempt: number;
}

/** Sends one row's payload; throws to have it retried (or, with `DeliveryError`, dropped). */
export type OutboxHandler = (
  payload: OutboxPayload,
  context: OutboxDeliveryContext,
) => Promise<void>;

/** How a channel's rows are treated once settled. */
export interface OutboxChannelOptions {
  /** Replace the payload by `{ redacted: true }` once delivered or dead (payloads with secrets). */
  redactWhenSettled?: boolean;
}

interface Channel {
  handler: OutboxHandler;
  redact: boolean;
}

/** Rows claimed per round trip; they are sent concurrently. */
const BATCH_SIZE = 20;
/**
 * How long a claimed row stays out of other instances' reach. Channels must finish well
 * within it (the SMTP transport times out after at most 50 s); past it, another instance may
 * send the same row again.
 */
const LEASE_SECONDS = 120;
/**
 * A handler that has not settled by then counts as a failed attempt, so one hung send cannot
 * stall the worker; it is shorter than the lease, so the row is not yet anyone else's.
 */
const HANDLER_TIMEOUT_MS = 90_000;
/** A cycle stops after this many full batches, so shutdown and other work get a turn. */
const MAX_BATCHES_PER_CYCLE = 10;
/** Delivered rows are kept this long (for support questions), then purged. */
const DELIVERED_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * Drains the outbox: polls every `OUTBOX_POLL_INTERVAL_MS`, claims due rows with
 * `FOR UPDATE SKIP LOCKED` (any number of instances may run it) and hands each to the channel
 * registered for its kind. A failed attempt n is retried 5 s × 2^(n-1) later, until the row
 * is dead. Delivery is at least once: a crash between sending and recording the success
 * sends again after the lease.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxWorker');
  private readonly channels = new Map<OutboxKind, Channel>();
  private timer: NodeJS.Timeout | undefined;
  /** Cycles run one after another on this chain, never overlapping. */
  private tail: Promise<unknown> = Promise.resolve();
  private cyclesQueued = 0;
  private nudgeScheduled = false;
  private stopping = false;
  private lastPurgeAt = 0;

  constructor(
    private readonly outbox: OutboxRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Makes this worker deliver rows of `kind` with `handler`. Channels register at module
   * init; rows of kinds nobody registered stay pending for an instance that can send them.
   * @throws Error when `kind` already has a channel.
   */
  register(kind: OutboxKind, handler: OutboxHandler, options: OutboxChannelOptions = {}): void {
    if (this.channels.has(kind)) throw new Error(`outbox channel '${kind}' is already registered`);
    this.channels.set(kind, { handler, redact: options.redactWhenSettled ?? false });
  }

  onApplicationBootstrap(): void {
    this.stopping = false;
    this.timer = setInterval(() => this.trigger(), this.config.webhooks.pollIntervalMs);
    // The poll must never be what keeps the process (or a test run) alive.
    this.timer.unref();
    this.trigger();
  }

  /** Stops polling and waits (bounded) for the cycle in flight, while the database is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    const boundMs = this.config.shutdownTimeoutMs / 2;
    let timeout: NodeJS.Timeout | undefined;
    const finished = await Promise.race([
      this.tail.then(() => true),
      new Promise<false>((resolve) => {
        timeout = setTimeout(() => resolve(false), boundMs);
      }),
    ]);
    clearTimeout(timeout);
    if (!finished) {
      this.logger.warn('deliveries still in flight at shutdown; they will retry after their lease');
    }
  }

  /**
   * Runs a cycle soon rather than at the next poll: called once a new row has committed, so
   * a mail leaves within milliseconds. Nudges in the same tick collapse into one.
   */
  nudge(): void {
    if (this.stopping || this.nudgeScheduled) return;
    this.nudgeScheduled = true;
    setImmediate(() => {
      this.nudgeScheduled = false;
      this.trigger();
    });
  }

  /**
   * Runs one cycle after the one in flight (if any): claims and delivers due rows until
   * none is left or the cycle's share is used up. Resolves with the number of rows processed
   * (delivered or failed). Meant for tests and tools; the poll loop calls it too.
   * @throws whatever the database throws while claiming.
   */
  runOnce(): Promise<number> {
    this.cyclesQueued++;
    const run = this.tail
      .then(() => this.cycle())
      .finally(() => {
        this.cyclesQueued--;
      });
    this.tail = run.catch(() => undefined);
    return run;
  }

  private trigger(): void {
    // One cycle waiting behind the running one will see every row committed so far; queueing
    // more would only repeat it.
    if (this.stopping || this.cyclesQueued >= 2) return;
    this.runOnce().catch((err: unknown) => {
      this.logger.error(`outbox cycle failed: ${describeDeliveryError(err)}`);
    });
  }

  private async cycle(): Promise<number> {
    const kinds = [...this.channels.keys()];
    let processed = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_CYCLE && !this.stopping; batch++) {
      const rows = await this.outbox.claimDue({
        limit: BATCH_SIZE,
        leaseSeconds: LEASE_SECONDS,
        kinds,
      });
      await Promise.all(rows.map((row) => this.process(row)));
      processed += rows.length;
      if (rows.length < BATCH_SIZE) break;
    }
    if (!this.stopping) await this.purgeIfDue();
    return processed;
  }

  /** Delivers one row and records the outcome. Never rejects: one row must not stop the rest. */
  private async process(row: OutboxEntity): Promise<void> {
    const channel = this.channels.get(row.kind);
    if (!channel) return; // claimDue only claims registered kinds
    const attempts = row.attempts + 1;
    try {
      try {
        await withTimeout(channel.handler(row.payload, { id: row.id, attempt: attempts }));
      } catch (err) {
        await this.recordFailure(row, { attempts, err, redact: channel.redact });
        return;
      }
      await this.outbox.markDelivered(row.id, { redact: channel.redact });
    } catch (err) {
      // The outcome could not be written; the lease brings the row back (it may be sent twice).
      this.logger.error(
        `outbox #${row.id}: recording the outcome failed: ${describeDeliveryError(err)}`,
      );
    }
  }

  private async recordFailure(
    row: OutboxEntity,
    failure: { attempts: number; err: unknown; redact: boolean },
  ): Promise<void> {
    const { attempts, redact } = failure;
    const error = describeDeliveryError(failure.err);
    const decision =
      failure.err instanceof DeliveryError ? { action: 'dead' as const } : decideRetry(attempts);
    if (decision.action === 'dead') {
      await this.outbox.markDead(row.id, { attempts, error, redact });
      this.logger.error(`outbox ${row.kind} #${row.id} dead after attempt ${attempts}: ${error}`);
      return;
    }
    await this.outbox.markFailed(row.id, { attempts, retryInMs: decision.delayMs, error });
    this.logger.warn(
      `outbox ${row.kind} #${row.id} attempt ${attempts} failed, next in ${decision.delayMs / 1000} s: ${error}`,
    );
  }

  private async purgeIfDue(): Promise<void> {
    const now = Date.now();
    if (now - this.lastPurgeAt < this.config.sessions.purgeInterval * 1000) return;
    this.lastPurgeAt = now;
    const purged = await this.outbox.purgeDelivered(new Date(now - DELIVERED_RETENTION_MS));
    if (purged > 0) this.logger.log(`purged ${purged} delivered outbox rows`);
  }
}

async function withTimeout(work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`delivery timed out after ${HANDLER_TIMEOUT_MS / 1000} s`)),
          HANDLER_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
