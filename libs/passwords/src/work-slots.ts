/** Options of {@link WorkSlots}. */
export interface WorkSlotsOptions {
  /**
   * Tasks allowed to wait for a slot; one more is refused at once with
   * {@link WorkSlotsFullError}. Default: no bound.
   */
  maxQueued?: number;
  /** Milliseconds clock for measuring tasks (tests pass their own). Default `performance.now`. */
  now?: () => number;
}

/**
 * Every slot is busy and the queue is at its bound: the task was not started and will not
 * be. `retryAfterMs` estimates when a new task would start if the load stays as it is.
 */
export class WorkSlotsFullError extends Error {
  constructor(readonly retryAfterMs: number) {
    super('work slots full');
    this.name = 'WorkSlotsFullError';
  }
}

/** Weight of the newest task in the moving average of task time. */
const EWMA_WEIGHT = 0.2;

/**
 * At most `size` tasks at a time; up to `maxQueued` more wait in arrival order and the rest
 * are refused at once. For CPU-bound work handed to the libuv threadpool: past one task per
 * core, more concurrent tasks add memory and queueing inside the pool, not throughput, and
 * they hold the threads other work (WebCrypto signs, fs) needs. The bound on waiters keeps a
 * flood from building a queue that no caller would still be waiting for when its turn came.
 */
export class WorkSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly maxQueued: number;
  private readonly now: () => number;
  private shed = 0;
  private averageTaskMs = 0;

  constructor(
    readonly size: number,
    options: WorkSlotsOptions = {},
  ) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`WorkSlots: bad size ${size}`);
    const maxQueued = options.maxQueued ?? Number.POSITIVE_INFINITY;
    if (maxQueued !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxQueued) || maxQueued < 0))
      throw new Error(`WorkSlots: bad maxQueued ${maxQueued}`);
    this.maxQueued = maxQueued;
    this.now = options.now ?? (() => performance.now());
  }

  /**
   * Runs `task` once a slot is free; the slot is released however the task ends.
   * @throws WorkSlotsFullError (as a rejection, without running `task`) when every slot is
   *   busy and `maxQueued` tasks already wait.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) {
      if (this.waiting.length >= this.maxQueued) {
        this.shed += 1;
        throw new WorkSlotsFullError(this.estimatedWaitMs());
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    const started = this.now();
    try {
      return await task();
    } finally {
      this.measure(this.now() - started);
      const next = this.waiting.shift();
      // The slot passes straight to the next waiter; `running` only drops when nobody waits.
      if (next) next();
      else this.running -= 1;
    }
  }

  /** Tasks waiting for a slot (for metrics and tests). */
  get queued(): number {
    return this.waiting.length;
  }

  /** Tasks holding a slot now. */
  get inFlight(): number {
    return this.running;
  }

  /** Tasks refused because the queue was full, since construction (a counter). */
  get shedTotal(): number {
    return this.shed;
  }

  /**
   * How long a task arriving now would wait before it starts: the tasks ahead of it (running
   * and queued) spread over the slots, at the measured average task time.
   */
  estimatedWaitMs(): number {
    const rounds = Math.ceil((this.waiting.length + this.running) / this.size);
    return Math.round(rounds * this.averageTaskMs);
  }

  private measure(ms: number): void {
    this.averageTaskMs =
      this.averageTaskMs === 0 ? ms : this.averageTaskMs + EWMA_WEIGHT * (ms - this.averageTaskMs);
  }
}
