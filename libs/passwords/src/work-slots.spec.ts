import { WorkSlots } from './work-slots';

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

  it('refuses a size below one', () => {
    expect(() => new WorkSlots(0)).toThrow();
    expect(() => new WorkSlots(1.5)).toThrow();
  });
});
