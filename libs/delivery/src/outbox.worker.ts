import {
  type BeforeApplicationShutdown,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { type AppConfig, InjectConfig } from '@identity/config';
import { isDatabaseUnavailable } from '@identity/database';
import { Clock } from '@identity/kernel';
import { DeliveryError, describeDeliveryError } from './delivery.errors';
import type { ClaimedMessage, OutboxKind, OutboxPayload } from './outbox-message';
import { OutboxRepository } from './outbox.repository';
import { decideRetry, type RetryDecision } from './outbox.retry';

/** Which row a handler is sending; `id` is stable across retries (an idempotency key). */
export interface OutboxDeliveryContext {
  id: string;
  /** 1 for the first try. */
  attempt: number;
  /** The claimed row, with its webhook receiver's current settings when it has one. */
  message: ClaimedMessage;
}

/** What a handler may report about a successful attempt. */
export interface OutboxAttemptResult {
  /** The receiver's HTTP status (webhooks), kept as `last_status_code`. */
  statusCode?: number;
}

/**
 * Sends one row's payload; throws to have it retried (or, with `DeliveryError`, dropped).
 * Throw an {@link OutboxAttemptError} to have the receiver's status code recorded.
 */
export type OutboxHandler = (
  payload: OutboxPayload,
  context: OutboxDeliveryContext,
) => Promise<OutboxAttemptResult | void>;

/** A failed attempt that got an answer worth keeping (an HTTP status). */
export class OutboxAttemptError extends Error {
  constructor(
    message: string,
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'OutboxAttemptError';
  }
}

/** How an attempt ended, as channels count it. */
export type OutboxOutcome = 'delivered' | 'failed' | 'dead';

/** How a channel's rows are treated. */
export interface OutboxChannelOptions {
  /** Replace the payload by `{ redacted: true }` once delivered or dead (payloads with secrets). */
  redactWhenSettled?: boolean;
  /** Retry or give up once attempt `attemptsMade` has failed; default `decideRetry`. */
  retry?: (attemptsMade: number) => RetryDecision;
  /** Told of every recorded outcome (metrics). Must not throw. */
  onOutcome?: (outcome: OutboxOutcome) => void;
}

interface Channel {
  handler: OutboxHandler;
  redact: boolean;
  retry: (attemptsMade: number) => RetryDecision;
  onOutcome: (outcome: OutboxOutcome) => void;
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
/**
 * A cycle stops after this many batches, so shutdown and other work get a turn; it then
 * queues the next cycle at once if the last batch found rows.
 */
const MAX_BATCHES_PER_CYCLE = 10;
/**
 * Spans of the worker (a no-op unless the app started tracing): one per batch claimed, one per
 * row delivered, so a delivery's SQL and HTTP calls show under it. Idle polls make none.
 */
const tracer = trace.getTracer('identity.outbox');

/** Delivered rows are kept this long (for support questions), then purged. */
const DELIVERED_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * Drains the outbox: polls every `OUTBOX_POLL_INTERVAL_MS`, claims due rows with
 * `FOR UPDATE SKIP LOCKED` (any number of instances may run it) and hands each to the channel
 * registered for its kind. A failed attempt is retried on the channel's schedule (mail: 5 s ×
 * 2^(n-1); webhooks: the same with jitter), until the row is dead. Delivery is at least once:
 * a crash between sending and recording the success sends again after the lease. Times come
 * from the injected `Clock`.
 */
@Injectable()
export class OutboxWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('OutboxWorker');
  /** When the current Postgres outage was first met by a cycle (logged once per outage). */
  private outageSince: number | undefined;
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
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Makes this worker deliver rows of `kind` with `handler`. Channels register at module
   * init; rows of kinds nobody registered stay pending for an instance that can send them.
   * @throws Error when `kind` already has a channel.
   */
  register(kind: OutboxKind, handler: OutboxHandler, options: OutboxChannelOptions = {}): void {
    if (this.channels.has(kind)) throw new Error(`outbox channel '${kind}' is already registered`);
    this.channels.set(kind, {
      handler,
      redact: options.redactWhenSettled ?? false,
      retry: options.retry ?? ((attemptsMade) => decideRetry(attemptsMade)),
      onOutcome: options.onOutcome ?? (() => undefined),
    });
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
    this.runOnce().then(
      () => this.cycleSucceeded(),
      (err: unknown) => this.cycleFailed(err),
    );
  }

  /**
   * A cycle that fails because Postgres is away fails the same way every poll (five times a
   * second by default): one warning per outage, and one line when a cycle works again. Any
   * other failure is logged each time, as an error.
   */
  private cycleFailed(err: unknown): void {
    if (!isDatabaseUnavailable(err)) {
      this.logger.error(`outbox cycle failed: ${describeDeliveryError(err)}`);
      return;
    }
    if (this.outageSince !== undefined) return;
    this.outageSince = Date.now();
    this.logger.warn(
      `outbox paused, Postgres unavailable: ${describeDeliveryError(err)} (logged once per outage)`,
    );
  }

  private cycleSucceeded(): void {
    if (this.outageSince === undefined) return;
    this.logger.log(`outbox resumed after ${Date.now() - this.outageSince} ms`);
    this.outageSince = undefined;
  }

  private async cycle(): Promise<number> {
    const kinds = [...this.channels.keys()];
    let processed = 0;
    let more = false;
    for (let batch = 0; batch < MAX_BATCHES_PER_CYCLE && !this.stopping; batch++) {
      const now = this.clock.now();
      const rows = await this.outbox.claimDue({
        now,
        leaseUntil: new Date(now.getTime() + LEASE_SECONDS * 1000),
        limit: BATCH_SIZE,
        kinds,
      });
      if (rows.length > 0) {
        await tracer.startActiveSpan(
          'outbox batch',
          { attributes: { 'outbox.batch.size': rows.length } },
          async (span) => {
            await Promise.all(rows.map((row) => this.process(row)));
            span.end();
          },
        );
      }
      processed += rows.length;
      // A short batch does not mean the end: a delivery that was waiting behind one just
      // sent (same receiver, same user) is due now. Only an empty claim does.
      more = rows.length > 0;
      if (!more) break;
    }
    if (this.stopping) return processed;
    await this.purgeIfDue();
    if (more) this.nudge();
    return processed;
  }

  /** Delivers one row and records the outcome. Never rejects: one row must not stop the rest. */
  private process(row: ClaimedMessage): Promise<void> {
    const channel = this.channels.get(row.kind);
    if (!channel) return Promise.resolve(); // claimDue only claims registered kinds
    const attempts = row.attempts + 1;
    return tracer.startActiveSpan(
      `outbox deliver ${row.kind}`,
      { attributes: { 'outbox.kind': row.kind, 'outbox.id': row.id, 'outbox.attempt': attempts } },
      async (span) => {
        const outcome = await this.attempt(row, channel, attempts);
        span.setAttribute('outbox.outcome', outcome);
        if (outcome !== 'delivered') span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      },
    );
  }

  /** One attempt at `row`; returns how it ended (`unrecorded` when writing that failed). */
  private async attempt(
    row: ClaimedMessage,
    channel: Channel,
    attempts: number,
  ): Promise<OutboxOutcome | 'unrecorded'> {
    try {
      let result: OutboxAttemptResult | void;
      try {
        result = await withTimeout(
          channel.handler(row.payload, { id: row.id, attempt: attempts, message: row }),
        );
      } catch (err) {
        return await this.recordFailure(row, channel, { attempts, err });
      }
      await this.outbox.markDelivered(row.id, {
        now: this.clock.now(),
        statusCode: result?.statusCode,
        redact: channel.redact,
      });
      channel.onOutcome('delivered');
      return 'delivered';
    } catch (err) {
      // The outcome could not be written; the lease brings the row back (it may be sent twice).
      this.logger.error(
        `outbox #${row.id}: recording the outcome failed: ${describeDeliveryError(err)}`,
      );
      return 'unrecorded';
    }
  }

  private async recordFailure(
    row: ClaimedMessage,
    channel: Channel,
    failure: { attempts: number; err: unknown },
  ): Promise<'failed' | 'dead'> {
    const { attempts, err } = failure;
    const error = describeDeliveryError(err);
    const statusCode = err instanceof OutboxAttemptError ? err.statusCode : undefined;
    const decision: RetryDecision =
      err instanceof DeliveryError ? { action: 'dead' } : channel.retry(attempts);
    const now = this.clock.now();
    if (decision.action === 'dead') {
      await this.outbox.markDead(row.id, {
        attempts,
        error,
        statusCode,
        now,
        redact: channel.redact,
      });
      channel.onOutcome('dead');
      this.logger.error(`outbox ${row.kind} #${row.id} dead after attempt ${attempts}: ${error}`);
      return 'dead';
    }
    await this.outbox.markFailed(row.id, {
      attempts,
      error,
      statusCode,
      nextAttemptAt: new Date(now.getTime() + decision.delayMs),
    });
    channel.onOutcome('failed');
    this.logger.warn(
      `outbox ${row.kind} #${row.id} attempt ${attempts} failed, next in ${decision.delayMs / 1000} s: ${error}`,
    );
    return 'failed';
  }

  private async purgeIfDue(): Promise<void> {
    const now = this.clock.nowMs();
    if (now - this.lastPurgeAt < this.config.sessions.purgeInterval * 1000) return;
    this.lastPurgeAt = now;
    const purged = await this.purgeDelivered();
    if (purged > 0) this.logger.log(`purged ${purged} delivered outbox rows`);
  }

  /**
   * Deletes the rows delivered longer ago than their retention, now (the worker does it every
   * `PURGE_INTERVAL`; the CLI's `purge` on demand). Returns how many.
   * @throws whatever the database throws.
   */
  purgeDelivered(): Promise<number> {
    return this.outbox.purgeDelivered(new Date(this.clock.nowMs() - DELIVERED_RETENTION_MS));
  }
}

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
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
