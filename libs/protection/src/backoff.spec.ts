import { backoffSeconds } from './backoff';

describe('backoffSeconds', () => {
  const defaults = { free: 5, base: 1, max: 900 };

  it('is free for the first five failures, then 1, 2, 4, ... seconds capped at 900', () => {
    const schedule = Array.from({ length: 20 }, (_, i) => backoffSeconds(i + 1, defaults));
    expect(schedule).toEqual([
      0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900,
    ]);
  });

  it('is 0 before any failure', () => {
    expect(backoffSeconds(0, defaults)).toBe(0);
  });

  it('stays at the cap for any number of failures, without overflowing', () => {
    expect(backoffSeconds(1_000, defaults)).toBe(900);
    expect(backoffSeconds(Number.MAX_SAFE_INTEGER, defaults)).toBe(900);
  });

  it('follows a configured schedule', () => {
    const schedule = { free: 2, base: 3, max: 20 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffSeconds(n, schedule))).toEqual([
      0, 0, 3, 6, 12, 20,
    ]);
  });

  it('never locks longer than max, even when base exceeds it', () => {
    expect(backoffSeconds(6, { free: 5, base: 60, max: 30 })).toBe(30);
  });
});
