import { Clock } from '@identity/kernel';

/**
 * A clock a test moves by hand: it starts at the real time (so Redis TTLs, JWT checks of other
 * parties and database defaults stay plausible) and only moves when told, so a rule that
 * depends on time is tested by advancing it instead of sleeping.
 */
export class ManualClock extends Clock {
  private ms: number;

  constructor(start: Date = new Date()) {
    super();
    this.ms = start.getTime();
  }

  now(): Date {
    return new Date(this.ms);
  }

  override nowMs(): number {
    return this.ms;
  }

  /** Moves time forward (or back, with a negative number) by `seconds`. */
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }

  /** Sets the time. */
  set(at: Date): void {
    this.ms = at.getTime();
  }
}
