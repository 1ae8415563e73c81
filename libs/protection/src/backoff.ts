/** The login backoff schedule (API.md "Default limits"), from `AppConfig.limits`. */
export interface BackoffSchedule {
  /** Consecutive failures that cost nothing (`loginFreeFailures`). */
  free: number;
  /** Lock, in seconds, after the first failure past the free ones (`loginBackoffBase`). */
  base: number;
  /** Longest lock, in seconds (`loginBackoffMax`). */
  max: number;
}

/**
 * How long, in whole seconds, a (email, IP) pair is locked after its `failures`-th consecutive
 * failure: 0 while the failures are free, then `base`, doubling with each further failure, capped
 * at `max`. With the defaults (5, 1, 900): failures 1-5 -> 0, 6 -> 1, 7 -> 2, 8 -> 4, ...,
 * 15 -> 512, 16 and on -> 900.
 */
export function backoffSeconds(failures: number, schedule: BackoffSchedule): number {
  const past = Math.floor(failures) - schedule.free;
  if (past <= 0) return 0;
  // 2 ** 1024 is Infinity and Infinity * 0 is NaN: stop doubling once past any sane cap.
  if (past > 52) return schedule.max;
  return Math.min(schedule.max, schedule.base * 2 ** (past - 1));
}
