import { type DynamicModule, Global, Module } from '@nestjs/common';

/**
 * The time every rule that depends on time reads (token lifetimes, lockouts, TOTP steps,
 * purges, key rotation). Injected, so tests move time instead of sleeping; the timestamps a
 * change writes come from here too (never from the database's `now()`), so a rule checked in
 * SQL and one checked in TypeScript agree on what "now" is.
 *
 * Real timers (`setTimeout`, Redis TTLs) are not moved by it: what they bound is tested with
 * real (short) waits.
 */
export abstract class Clock {
  abstract now(): Date;

  /** Milliseconds since the epoch. */
  nowMs(): number {
    return this.now().getTime();
  }

  /** Whole seconds since the epoch (JWT `iat`, TOTP). */
  nowSeconds(): number {
    return Math.floor(this.nowMs() / 1000);
  }

  /** `seconds` from now. */
  after(seconds: number): Date {
    return new Date(this.nowMs() + seconds * 1000);
  }

  /** `seconds` before now. */
  before(seconds: number): Date {
    return new Date(this.nowMs() - seconds * 1000);
  }
}

/** The machine's clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }

  override nowMs(): number {
    return Date.now();
  }
}

/**
 * Provides {@link Clock} to the whole app: the system clock, or the one given (tests pass a
 * clock they move).
 */
@Global()
@Module({})
export class ClockModule {
  static forRoot(clock: Clock = new SystemClock()): DynamicModule {
    return {
      module: ClockModule,
      providers: [{ provide: Clock, useValue: clock }],
      exports: [Clock],
    };
  }
}
