/**
 * At most `size` tasks at a time; the rest wait in arrival order. For CPU-bound work handed to
 * the libuv threadpool: past one task per core, more concurrent tasks add memory and queueing
 * inside the pool, not throughput, and they hold the threads other work (WebCrypto signs,
 * fs) needs.
 */
export class WorkSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`WorkSlots: bad size ${size}`);
  }

  /** Runs `task` once a slot is free; the slot is released however the task ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await task();
    } finally {
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
}
