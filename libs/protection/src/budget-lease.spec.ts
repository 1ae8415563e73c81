import { BudgetLeases, type BudgetLeasesOptions } from './budget-lease';
import type { Count } from './limiter';

/** A fixed-window counter as the shared store keeps it, on a clock the test moves. */
class SharedCounter {
  takes = 0;
  private readonly counts = new Map<string, { consumed: number; endsAt: number }>();

  constructor(
    private readonly clock: { ms: number },
    private readonly windowMs: number,
  ) {}

  take = (client: string, points: number): Promise<Count> => {
    this.takes += 1;
    let entry = this.counts.get(client);
    if (!entry || entry.endsAt <= this.clock.ms) {
      entry = { consumed: 0, endsAt: this.clock.ms + this.windowMs };
      this.counts.set(client, entry);
    }
    entry.consumed += points;
    return Promise.resolve({
      consumed: entry.consumed,
      msBeforeNext: entry.endsAt - this.clock.ms,
    });
  };
}

function setup(options: Partial<BudgetLeasesOptions> & { points: number; instances?: number }) {
  const clock = { ms: 1_000 };
  const shared = new SharedCounter(clock, 60_000);
  const instances = Array.from(
    { length: options.instances ?? 1 },
    () => new BudgetLeases({ take: shared.take, now: () => clock.ms, ...options }),
  );
  return { clock, shared, instances };
}

async function allowed(leases: BudgetLeases, client: string, n: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await leases.spend(client)).ok) ok += 1;
  return ok;
}

describe('BudgetLeases', () => {
  it('lets exactly the limit through on one instance, with far fewer shared takes', async () => {
    const { shared, instances } = setup({ points: 600 });
    const [one] = instances as [BudgetLeases];
    expect(await allowed(one, 'ip', 700)).toBe(600);
    // Leases shrink to single points near the limit: about one take per 7 requests here.
    expect(shared.takes).toBeLessThan(100);
  });

  it('never lets more than the limit through across instances, and not far fewer', async () => {
    for (const pattern of ['alternate', 'random', 'switch'] as const) {
      const { instances } = setup({ points: 600, instances: 3 });
      let ok = 0;
      for (let i = 0; i < 2_000; i++) {
        const at =
          pattern === 'alternate'
            ? i % 3
            : pattern === 'random'
              ? Math.floor(Math.random() * 3)
              : Math.floor(i / 150) % 3; // long runs on one instance, then the next
        if ((await instances[at]!.spend('ip')).ok) ok += 1;
      }
      expect(ok).toBeLessThanOrEqual(600);
      expect(ok).toBeGreaterThanOrEqual(500);
    }
  });

  it('is exact for small limits: every take is a single point', async () => {
    const { shared, instances } = setup({ points: 6, instances: 2 });
    const [a, b] = instances as [BudgetLeases, BudgetLeases];
    for (let i = 0; i < 3; i++) {
      expect((await a.spend('ip')).ok).toBe(true);
      expect((await b.spend('ip')).ok).toBe(true);
    }
    expect(await a.spend('ip')).toEqual({ ok: false, msBeforeNext: 60_000 });
    expect((await b.spend('ip')).ok).toBe(false);
    // b's third take spent the budget: b refuses without asking again.
    expect(shared.takes).toBe(7);
  });

  it('refuses locally until the window ends, then starts a new lease', async () => {
    const { clock, shared, instances } = setup({ points: 10 });
    const [one] = instances as [BudgetLeases];
    expect(await allowed(one, 'ip', 10)).toBe(10);
    const takes = shared.takes;
    clock.ms += 20_000;
    // The take of the 10th point found the budget spent: no further take is needed.
    expect(await one.spend('ip')).toEqual({ ok: false, msBeforeNext: 40_000 });
    expect(await one.spend('ip')).toEqual({ ok: false, msBeforeNext: 40_000 });
    expect(shared.takes).toBe(takes);
    clock.ms += 40_000;
    expect((await one.spend('ip')).ok).toBe(true);
  });

  it('drops leased points when their window ends (they never count in the next one)', async () => {
    const { clock, instances } = setup({ points: 100 });
    const [one] = instances as [BudgetLeases];
    expect(await allowed(one, 'ip', 20)).toBe(20); // leases 1, 2, 4, 6, 5.. taken ahead
    clock.ms += 60_000;
    expect(await allowed(one, 'ip', 150)).toBe(100);
  });

  it('ends a lease no later than the shared window, however long the take took', async () => {
    const clock = { ms: 0 };
    let takes = 0;
    const leases = new BudgetLeases({
      points: 100,
      now: () => clock.ms,
      // The store answers 500 ms after it was asked, with 1 s left in its window by then.
      take: () => {
        takes += 1;
        clock.ms += 500;
        return Promise.resolve({ consumed: 10, msBeforeNext: 1_000 });
      },
    });
    await leases.spend('ip'); // asked at 0, answered at 500
    await leases.spend('ip'); // a lease of 2, asked at 500, answered at 1_000: one point left
    expect(takes).toBe(2);
    // The store's window ends by 500 + 1_000 at the latest: the point left is not spent then.
    clock.ms = 1_500;
    expect(await leases.spend('ip')).toEqual({ ok: true });
    expect(takes).toBe(3);
  });

  it('keeps clients apart', async () => {
    const { instances } = setup({ points: 5 });
    const [one] = instances as [BudgetLeases];
    expect(await allowed(one, 'a', 6)).toBe(5);
    expect(await allowed(one, 'b', 6)).toBe(5);
  });

  it('makes concurrent requests of one client wait for one take', async () => {
    const { shared, instances } = setup({ points: 600 });
    const [one] = instances as [BudgetLeases];
    await one.spend('ip');
    await one.spend('ip'); // a lease of 2: one left
    const takes = shared.takes;
    const results = await Promise.all(Array.from({ length: 5 }, () => one.spend('ip')));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(shared.takes - takes).toBeLessThanOrEqual(2);
  });

  it('with maxLease 1 takes once per request', async () => {
    const { shared, instances } = setup({ points: 50, maxLease: 1 });
    const [one] = instances as [BudgetLeases];
    expect(await allowed(one, 'ip', 60)).toBe(50);
    expect(shared.takes).toBe(50);
  });

  it('passes a failed take on and forgets the lease', async () => {
    let fail = true;
    const leases = new BudgetLeases({
      points: 5,
      take: () =>
        fail
          ? Promise.reject(new Error('store down'))
          : Promise.resolve({ consumed: 1, msBeforeNext: 1_000 }),
    });
    await expect(leases.spend('ip')).rejects.toThrow('store down');
    expect(leases.size).toBe(0);
    fail = false;
    expect((await leases.spend('ip')).ok).toBe(true);
  });

  it('remembers at most maxClients, and still counts the others one by one', async () => {
    const { clock, shared, instances } = setup({ points: 3, maxClients: 2 });
    const [one] = instances as [BudgetLeases];
    await one.spend('a');
    await one.spend('b');
    expect(await allowed(one, 'c', 4)).toBe(3);
    expect(one.size).toBe(2);
    expect(shared.takes).toBe(6);
    clock.ms += 60_000; // a and b end: room again
    await one.spend('d');
    expect(one.size).toBe(1);
  });
});
