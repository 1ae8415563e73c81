import { WorkSlots, WorkSlotsFullError } from './work-slots';

/** A task that runs until `release()` is called. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { release, task: () => done };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('WorkSlots', () => {
  it('runs at most `size` tasks at once, then the waiting ones in arrival order', async () => {
    const slots = new WorkSlots(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map(() => gate());
    const runs = gates.map((g, i) =>
      slots.run(async () => {
        started.push(i);
        await g.task();
        return i;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect(slots.queued).toBe(2);

    gates[1]!.release();
    await tick();
    expect(started).toEqual([0, 1, 2]);

    gates[0]!.release();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.release();
    gates[3]!.release();
    await expect(Promise.all(runs)).resolves.toEqual([0, 1, 2, 3]);
    expect(slots.queued).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const slots = new WorkSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(slots.run(() => Promise.resolve('next'))).resolves.toBe('next');
  });

  it('refuses at once beyond `maxQueued` waiters, never queueing without end', async () => {
    const slots = new WorkSlots(1, { maxQueued: 2 });
    const g = gate();
    const running = slots.run(g.task);
    const waiting = [slots.run(() => Promise.resolve('a')), slots.run(() => Promise.resolve('b'))];
    await tick();
    expect(slots.queued).toBe(2);

    let ran = false;
    const shed = slots.run(() => {
      ran = true;
      return Promise.resolve('c');
    });
    await expect(shed).rejects.toBeInstanceOf(WorkSlotsFullError);
    expect(ran).toBe(false);
    expect(slots.queued).toBe(2);
    expect(slots.shedTotal).toBe(1);

    g.release();
    await expect(Promise.all([running, ...waiting])).resolves.toEqual([undefined, 'a', 'b']);
    // Room again once the queue drains.
    await expect(slots.run(() => Promise.resolve('d'))).resolves.toBe('d');
    expect(slots.shedTotal).toBe(1);
  });

  it('with `maxQueued` 0, refuses whenever every slot is busy', async () => {
    const slots = new WorkSlots(1, { maxQueued: 0 });
    const g = gate();
    const running = slots.run(g.task);
    await expect(slots.run(() => Promise.resolve(1))).rejects.toBeInstanceOf(WorkSlotsFullError);
    g.release();
    await running;
  });

  it('estimates the wait of a refused task from the queue and the measured task time', async () => {
    let now = 0;
    const slots = new WorkSlots(2, { maxQueued: 4, now: () => now });
    // Two tasks of 100 ms each measured: the average task takes 100 ms.
    for (let i = 0; i < 2; i++) {
      await slots.run(() => {
        now += 100;
        return Promise.resolve();
      });
    }
    const gates = [0, 1, 2, 3, 4, 5].map(() => gate());
    const runs = gates.map((g) => slots.run(g.task));
    await tick();
    expect(slots.queued).toBe(4);
    const refused = await slots.run(() => Promise.resolve()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkSlotsFullError);
    // 4 waiting + 2 running on 2 slots: 3 task times before a new task would start.
    expect((refused as WorkSlotsFullError).retryAfterMs).toBe(300);
    for (const g of gates) g.release();
    await Promise.all(runs);
  });

  it('refuses a negative or fractional queue bound', () => {
    expect(() => new WorkSlots(1, { maxQueued: -1 })).toThrow();
    expect(() => new WorkSlots(1, { maxQueued: 0.5 })).toThrow();
  });

  it('refuses a size below one', () => {
    expect(() => new WorkSlots(0)).toThrow();
    expect(() => new WorkSlots(1.5)).toThrow();
  });
});
