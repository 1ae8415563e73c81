import { Inject, Injectable, Logger } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { Database } from '@identity/database';
import { backoffSeconds, type BackoffSchedule } from './backoff';
import { type Count, type Limiter, LimiterFactory } from './limiter';
import { LimitKeys } from './limit-keys';
import { ThrottledError } from './protection.errors';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/** Which login limit an `auth.login.throttled` event reports. */
export type LoginThrottleScope = 'email_ip' | 'email' | 'ip';

/** A login attempt as the throttle sees it: the email as typed and the client IP. */
export interface LoginAttempt {
  email: string;
  ip: string;
}

/** A failed login; `userId` when the email names an account (it lands in the audit row). */
export interface LoginFailure extends LoginAttempt {
  userId?: string;
}

/**
 * Brute-force protection for password login (API.md "Default limits"):
 * - per (email, IP): consecutive failures are free up to `loginFreeFailures`, then each one
 *   locks the pair for `loginBackoffBase` seconds, doubling up to `loginBackoffMax`;
 * - per email across IPs (`loginEmailFailuresPerHour`) and per IP across emails
 *   (`loginIpFailuresPerHour`): looser hourly budgets against distributed guessing and
 *   password spraying.
 *
 * Counters live in the kv store, so the limits hold across instances; keys are keyed hashes,
 * never the email or IP.
 */
@Injectable()
export class LoginThrottle {
  private readonly logger = new Logger('LoginThrottle');
  private readonly schedule: BackoffSchedule;
  /** Consecutive failures of an (email, IP) pair: a pure counter, never over budget. */
  private readonly streak: Limiter;
  /** The pair's current lock, set with `block()` after each failure past the free ones. */
  private readonly lock: Limiter;
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
    this.lock = limiters.create({
      keyPrefix: 'rl:login-lock',
      points: 1,
      // Unused: every lock is set by block() with its own duration.
      durationSeconds: limits.loginBackoffMax,
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
   * Refuses an attempt while its (email, IP) pair is locked or the email's or IP's hourly
   * budget is spent. Call it BEFORE checking the password: a locked-out guess must not even
   * be tried, or the answer's timing and status would still confirm a right password.
   * @throws ThrottledError `protection.too_many_attempts`, with the wait until every limit
   * that refused has cleared.
   */
  async assertAllowed(attempt: LoginAttempt): Promise<void> {
    const keys = this.keysOf(attempt);
    const [lock, email, ip] = await Promise.all([
      this.lock.peek(keys.pair),
      this.emailBudget.peek(keys.email),
      this.ipBudget.peek(keys.ip),
    ]);
    const waits: number[] = [];
    if (this.lock.isBlocked(lock)) waits.push(lock.msBeforeNext);
    if (isSpent(email, this.emailBudget)) waits.push(email.msBeforeNext);
    if (isSpent(ip, this.ipBudget)) waits.push(ip.msBeforeNext);
    if (waits.length > 0) {
      throw ThrottledError.after('protection.too_many_attempts', Math.max(...waits));
    }
  }

  /**
   * Counts a failed login (wrong password, or an unknown email: counted alike so the limits
   * reveal nothing) against the pair, the email and the IP, and locks the pair when its
   * streak is past the free failures. Emits `auth.login.throttled` once per limit, when the
   * failure that crosses its threshold lands: backoff starts (`email_ip`) or a budget runs
   * out (`email`, `ip`).
   */
  async recordFailure(failure: LoginFailure): Promise<void> {
    const keys = this.keysOf(failure);
    const [streak, email, ip] = await Promise.all([
      this.streak.hit(keys.pair),
      this.emailBudget.hit(keys.email),
      this.ipBudget.hit(keys.ip),
    ]);
    const lockSeconds = backoffSeconds(streak.consumed, this.schedule);
    if (lockSeconds > 0) await this.lock.block(keys.pair, lockSeconds);

    // Equality, not >=: the counters are atomic, so exactly one failure (on whichever
    // instance) sees each threshold reached, and the event is emitted once.
    const crossed: LoginThrottleScope[] = [];
    if (streak.consumed === this.schedule.free + 1) crossed.push('email_ip');
    if (email.consumed === this.emailBudget.points) crossed.push('email');
    if (ip.consumed === this.ipBudget.points) crossed.push('ip');
    await this.emitThrottled(crossed, failure);
  }

  /**
   * Ends the pair's failure streak (and any lock) after a correct password. The email and IP
   * budgets keep their counts: one success from an attacker's own account must not buy them
   * a fresh hour of guesses at everyone else's.
   */
  async recordSuccess(attempt: LoginAttempt): Promise<void> {
    const pair = this.keysOf(attempt).pair;
    await Promise.all([this.streak.reset(pair), this.lock.reset(pair)]);
  }

  private keysOf(attempt: LoginAttempt): { pair: string; email: string; ip: string } {
    const email = this.keys.email(attempt.email);
    const ip = this.keys.ip(attempt.ip);
    return { pair: `${email}.${ip}`, email, ip };
  }

  private async emitThrottled(scopes: LoginThrottleScope[], failure: LoginFailure): Promise<void> {
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

/** Whether a budget counter has used every point of its window. */
function isSpent(count: Count | null, budget: Limiter): count is Count {
  return count !== null && count.consumed >= budget.points;
}
