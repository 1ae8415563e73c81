import type { Count } from './limiter';

/** The outcome of {@link BudgetLeases.spend}: allowed, or refused with ms until the window ends. */
export type LeaseSpend = { ok: true } | { ok: false; msBeforeNext: number };

export interface BudgetLeasesOptions {
  /** The shared budget per window (the documented limit). */
  points: number;
  /** Adds points to the shared counter of a client and returns the count after them. */
  take: (client: string, points: number) => Promise<Count>;
  /** The largest lease; 1 turns leasing off (every request is one shared hit). */
  maxLease?: number;
  /** A lease is at most this fraction of what the shared budget has left (1/divisor). */
  remainderDivisor?: number;
  /** Clients remembered at most; past it (after dropping ended windows) no lease is kept. */
  maxClients?: number;
  /** Monotonic milliseconds; `performance.now` by default. */
  now?: () => number;
}

interface Lease {
  /** Points taken from the shared counter and not spent yet. */
  left: number;
  /** The size of the last lease taken (leases double while the client keeps coming). */
  size: number;
  /** What the shared budget had left after the last take. */
  remaining: number;
  /** The shared budget had no point left after the last take: refuse until `endsAt`. */
  exhausted: boolean;
  /** When the shared window the points belong to ends (monotonic ms). */
  endsAt: number;
  /** A take under way: concurrent requests of the client wait for it instead of taking too. */
  pending?: Promise<void>;
}

/**
 * A local front for a shared fixed-window counter (the per-IP budget in Redis): an instance
 * takes points from the shared counter a few at a time and spends them locally, so a busy
 * client costs one shared round trip per lease instead of one per request.
 *
 * What it keeps of the shared limit:
 * - **Never more than the limit.** A point is spent locally only after the shared counter has
 *   counted it, in the window it was counted in: a lease dies with the shared window (its
 *   `msBeforeNext`), so leased points never carry into the next window.
 * - **Close to the limit, from below.** Points leased but not spent by one instance count
 *   against the client on the others (the counter only over-counts). A first request takes one
 *   point; a lease doubles with each renewal up to `maxLease`, and is never more than
 *   1/`remainderDivisor` of what the shared budget had left, so leases shrink to single points
 *   as the client nears its limit, and a client that stops wastes at most one lease per
 *   instance. With the defaults (64, 1/16) and a limit of 600, a client is let through exactly
 *   600 times on one instance and at least 540 times over two (the medium suite floods two
 *   instances alternately, randomly and in runs).
 * - **A refusal costs no round trip.** Once the shared counter is spent, the instance refuses
 *   the client locally until the window ends, with the same `Retry-After`.
 */
export class BudgetLeases {
  private readonly leases = new Map<string, Lease>();
  private readonly points: number;
  private readonly take: BudgetLeasesOptions['take'];
  private readonly maxLease: number;
  private readonly remainderDivisor: number;
  private readonly maxClients: number;
  private readonly now: () => number;

  constructor(options: BudgetLeasesOptions) {
    this.points = options.points;
    this.take = options.take;
    this.maxLease = Math.max(1, Math.floor(options.maxLease ?? 64));
    this.remainderDivisor = Math.max(1, options.remainderDivisor ?? 16);
    this.maxClients = options.maxClients ?? 50_000;
    this.now = options.now ?? (() => performance.now());
  }

  /** Clients with a lease or refusal in memory (for tests and metrics). */
  get size(): number {
    return this.leases.size;
  }

  /**
   * Spends one point of the client's budget, locally when a lease has one left.
   * @throws what `take` throws (the shared store failed; nothing was spent).
   */
  async spend(client: string): Promise<LeaseSpend> {
    for (;;) {
      const now = this.now();
      let lease = this.leases.get(client);
      if (lease && lease.endsAt <= now && !lease.pending) {
        this.leases.delete(client);
        lease = undefined;
      }
      if (lease?.pending) {
        await lease.pending;
        continue;
      }
      if (lease && lease.left > 0) {
        lease.left -= 1;
        return { ok: true };
      }
      if (lease?.exhausted) return { ok: false, msBeforeNext: Math.ceil(lease.endsAt - now) };
      return this.renew(client, lease);
    }
  }

  /** Takes a new lease from the shared counter and spends its first point. */
  private async renew(client: string, previous: Lease | undefined): Promise<LeaseSpend> {
    const size = previous ? this.nextSize(previous) : 1;
    const lease: Lease = previous ?? {
      left: 0,
      size,
      remaining: this.points,
      exhausted: false,
      endsAt: Infinity,
    };
    if (!previous && !this.makeRoom()) {
      // Too many clients to remember: count this request on its own, as without leases.
      const count = await this.take(client, 1);
      return count.consumed <= this.points ? { ok: true } : refused(count);
    }
    let settle!: () => void;
    lease.pending = new Promise<void>((resolve) => (settle = resolve));
    this.leases.set(client, lease);
    try {
      // Timed from before the take: the store measured its window later than this, so the
      // lease ends no later than the shared window does (never spends into the next one).
      const askedAt = this.now();
      const count = await this.take(client, size);
      const before = count.consumed - size;
      const granted = Math.min(size, Math.max(0, this.points - before));
      lease.size = size;
      lease.remaining = Math.max(0, this.points - count.consumed);
      lease.endsAt = askedAt + count.msBeforeNext;
      lease.exhausted = count.consumed >= this.points;
      if (granted === 0) {
        lease.left = 0;
        return refused(count);
      }
      lease.left = granted - 1;
      return { ok: true };
    } catch (err) {
      this.leases.delete(client);
      throw err;
    } finally {
      lease.pending = undefined;
      settle();
    }
  }

  /** Doubles the last lease, within `maxLease` and the share of what the budget has left. */
  private nextSize(previous: Lease): number {
    const share = Math.floor(previous.remaining / this.remainderDivisor);
    return Math.max(1, Math.min(this.maxLease, previous.size * 2, share));
  }

  /** Drops ended windows when the map is full; false when it is still full. */
  private makeRoom(): boolean {
    if (this.leases.size < this.maxClients) return true;
    const now = this.now();
    for (const [client, lease] of this.leases) {
      if (lease.endsAt <= now && !lease.pending) this.leases.delete(client);
    }
    return this.leases.size < this.maxClients;
  }
}

function refused(count: Count): LeaseSpend {
  return { ok: false, msBeforeNext: count.msBeforeNext };
}
