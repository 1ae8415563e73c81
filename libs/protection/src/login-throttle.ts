import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Database } from '@identity/database';
import { backoffSeconds, type BackoffSchedule } from './backoff';
import { type Count, type Limiter, LimiterFactory } from './limiter';
import { LimitKeys } from './limit-keys';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/** How long an attempt may hold the pair's gate while it is being evaluated. */
const GATE_HOLD_SECONDS = 10;

/** Which login limit an `auth.login.throttled` event reports. */
export type LoginThrottleScope = 'email_ip' | 'email' | 'ip';

/** A login attempt as the throttle sees it: the email as typed and the client IP. */
export interface LoginAttempt {
  email: string;
  ip: string;
}

/** An attempt that passed the limits and holds their points until it is settled. */
export interface LoginTicket {
  readonly attempt: LoginAttempt;
  /** The pair's consecutive attempts, this one included (failures not yet settled count). */
  readonly streak: number;
  /** The email's and the IP's counts after this attempt's point. */
  readonly emailCount: number;
  readonly ipCount: number;
}

/**
 * Brute-force protection for password sign-in and password re-authentication (API.md "Default
 * limits"):
 * - per (email, IP): consecutive failures are free up to `loginFreeFailures`, then each one
 *   locks the pair for `loginBackoffBase` seconds, doubling up to `loginBackoffMax`;
 * - per email across IPs (`loginEmailFailuresPerHour`) and per IP across emails
 *   (`loginIpFailuresPerHour`): looser hourly budgets against distributed guessing and
 *   password spraying.
 *
 * Attempts are counted, not finished failures: {@link begin} takes every point atomically
 * BEFORE the password is checked, so a burst of simultaneous guesses gets exactly as many
 * evaluations as the same guesses one after another would (the rest are refused at once),
 * however long argon2 keeps the evaluated ones busy. Past the free failures an attempt must
 * also win the pair's gate, a one-point limiter that a failure blocks for the backoff: only
 * one attempt at a time is evaluated there. {@link succeeded} gives back what a success
 * resets (the pair's streak and gate) and the budget points (they count failures);
 * {@link failed} keeps them and locks the pair; {@link refund} gives everything back for an
 * attempt that was never evaluated.
 *
 * Counters live in the kv store, so the limits hold across instances; keys are keyed hashes,
 * never the email or IP.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('LoginThrottle');
  private readonly schedule: BackoffSchedule;
  /** The pair's consecutive attempts: a pure counter, never over budget. */
  private readonly streak: Limiter;
  /** The pair's gate past the free failures: one attempt at a time, blocked while locked. */
  private readonly gate: Limiter;
  private readonly emailBudget: Limiter;
  private readonly ipBudget: Limiter;

  constructor(
    @InjectConfig() config: AppConfig,
    @Inject(PROTECTION_WINDOWS) windows: ProtectionWindows,
    limiters: LimiterFactory,
    private readonly keys: LimitKeys,
    private readonly bus: EventBus,
    private readonly db: Database,
  ) {
    const limits = config.limits;
    this.schedule = {
      free: limits.loginFreeFailures,
      base: limits.loginBackoffBase,
      max: limits.loginBackoffMax,
    };
    this.streak = limiters.create({
      keyPrefix: 'rl:login-pair',
      points: Number.MAX_SAFE_INTEGER,
      durationSeconds: windows.loginStreak,
    });
    this.gate = limiters.create({
      keyPrefix: 'rl:login-lock',
      points: 1,
      // How long a gate taken by an attempt that never settles (a crash) stays taken, and the
      // Retry-After of attempts refused while another is being evaluated: longer than any
      // evaluation (the hashing queue is bounded), short for a waiting client. Every lock sets
      // its own duration with block().
      durationSeconds: Math.min(GATE_HOLD_SECONDS, limits.loginBackoffMax),
    });
    this.emailBudget = limiters.create({
      keyPrefix: 'rl:login-email',
      points: limits.loginEmailFailuresPerHour,
      durationSeconds: windows.loginBudget,
    });
    this.ipBudget = limiters.create({
      keyPrefix: 'rl:login-ip',
      points: limits.loginIpFailuresPerHour,
      durationSeconds: windows.loginBudget,
    });
  }

  /**
   * Takes the attempt's points, before the password is checked: a point of the pair's streak,
   * the pair's gate when past the free failures, and a point of the email's and the IP's
   * budgets. Settle the ticket with exactly one of {@link succeeded}, {@link failed} or
   * {@link refund}.
   * @throws ThrottledError `protection.too_many_attempts` while the pair is locked (or another
   *   attempt holds its gate) or a budget is spent, with the wait until it clears; nothing is
   *   kept then.
   */
  async begin(attempt: LoginAttempt): Promise<LoginTicket> {
    const keys = this.keysOf(attempt);
    const undo: (() => Promise<void>)[] = [];
    try {
      const streak = (await this.streak.hit(keys.pair)).consumed;
      undo.push(() => this.streak.giveBack(keys.pair));
      if (streak > this.schedule.free) {
        // The gate is blocked by failures: refused takes are not given back (see Limiter.take).
        const gate = await this.gate.take(keys.pair, { keepRefused: true });
        if (!gate.ok) {
          throw this.gate.refuse('protection.too_many_attempts', gate.count);
        }
        // Only its holder ever gives the gate up: by deleting it.
        undo.push(() => this.gate.reset(keys.pair));
      }
      const email = await this.takeOrRefuse(this.emailBudget, keys.email, undo);
      const ip = await this.takeOrRefuse(this.ipBudget, keys.ip, undo);
      return { attempt, streak, emailCount: email.consumed, ipCount: ip.consumed };
    } catch (err) {
      for (const step of undo.reverse()) await step();
      throw err;
    }
  }

  /**
   * The password was right: the pair's streak and gate start over, and the budget points go
   * back (budgets count failures). The email and IP budgets keep their failures: one success
   * from an attacker's own account must not buy them a fresh hour of guesses at everyone
   * else's.
   */
  async succeeded(ticket: LoginTicket): Promise<void> {
    const keys = this.keysOf(ticket.attempt);
    await Promise.all([
      this.streak.reset(keys.pair),
      this.gate.reset(keys.pair),
      this.emailBudget.giveBack(keys.email),
      this.ipBudget.giveBack(keys.ip),
    ]);
  }

  /**
   * The password was wrong (or the email unknown: counted alike so the limits reveal
   * nothing): the points stay, and past the free failures the pair is locked for the backoff.
   * Emits `auth.login.throttled` once per limit, for the attempt that reaches its threshold:
   * backoff starts (`email_ip`) or a budget runs out (`email`, `ip`).
   */
  async failed(ticket: LoginTicket, userId?: string): Promise<void> {
    const keys = this.keysOf(ticket.attempt);
    const lockSeconds = backoffSeconds(ticket.streak, this.schedule);
    if (lockSeconds > 0) await this.gate.block(keys.pair, lockSeconds);
    // Equality, not >=: the counters are atomic, so exactly one attempt (on whichever
    // instance) holds each threshold, and the event is emitted once.
    const crossed: LoginThrottleScope[] = [];
    if (ticket.streak === this.schedule.free + 1) crossed.push('email_ip');
    if (ticket.emailCount === this.emailBudget.points) crossed.push('email');
    if (ticket.ipCount === this.ipBudget.points) crossed.push('ip');
    await this.emitThrottled(crossed, { ...ticket.attempt, userId });
  }

  /** The attempt was never evaluated (the hasher was overloaded, say): every point goes back. */
  async refund(ticket: LoginTicket): Promise<void> {
    const keys = this.keysOf(ticket.attempt);
    await Promise.all([
      this.streak.giveBack(keys.pair),
      ticket.streak > this.schedule.free ? this.gate.reset(keys.pair) : Promise.resolve(),
      this.emailBudget.giveBack(keys.email),
      this.ipBudget.giveBack(keys.ip),
    ]);
  }

  /**
   * One password check under these limits, settled by its verdict: for re-authentication
   * (change-password, TOTP setup, verify-email's password), which shares the sign-in limits of
   * the account, so a stolen session cannot guess the password outside them.
   * @returns the check's verdict.
   * @throws ThrottledError as {@link begin}; whatever `check` throws (every point given back).
   */
  async guard(
    attempt: LoginAttempt & { userId?: string },
    check: () => Promise<boolean>,
  ): Promise<boolean> {
    const ticket = await this.begin(attempt);
    let passed: boolean;
    try {
      passed = await check();
    } catch (err) {
      await this.refund(ticket);
      throw err;
    }
    if (passed) await this.succeeded(ticket);
    else await this.failed(ticket, attempt.userId);
    return passed;
  }

  /** Takes one point of `limiter` for `key`, registering its undo; refuses when none is left. */
  private async takeOrRefuse(
    limiter: Limiter,
    key: string,
    undo: (() => Promise<void>)[],
  ): Promise<Count> {
    const taken = await limiter.take(key);
    if (!taken.ok) {
      throw limiter.refuse('protection.too_many_attempts', taken.count);
    }
    undo.push(() => limiter.giveBack(key));
    return taken.count;
  }

  private keysOf(attempt: LoginAttempt): { pair: string; email: string; ip: string } {
    const email = this.keys.email(attempt.email);
    const ip = this.keys.ip(attempt.ip);
    return { pair: `${email}.${ip}`, email, ip };
  }

  private async emitThrottled(
    scopes: LoginThrottleScope[],
    failure: LoginAttempt & { userId?: string },
  ): Promise<void> {
    if (scopes.length === 0) return;
    const ipHash = this.keys.ipHash(failure.ip);
    try {
      await this.db.withTransaction(async (tx) => {
        for (const scope of scopes) {
          // An IP-wide limit is about many accounts: naming the last one tried would mislead.
          const userId = scope === 'ip' ? undefined : failure.userId;
          await this.bus.emit(tx, 'auth.login.throttled', {
            scope,
            ipHash,
            ...(userId === undefined ? {} : { userId }),
          });
        }
      });
    } catch (err) {
      // The limit is already in force in the kv store; an audit outage must not turn a
      // wrong-password answer into a 500 (which would itself tell the guesser something).
      this.logger.error(
        { scopes, err: err instanceof Error ? err.message : String(err) },
        'could not record auth.login.throttled',
      );
    }
  }
}
