import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { BudgetLeases } from './budget-lease';
import { type Limiter, LimiterFactory } from './limiter';
import { ipBucket, LimitKeys } from './limit-keys';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/**
 * The general per-IP limit on `/auth/*` (`authPerIpPerMinute`): a ceiling on any one client's
 * traffic, under the specific login, MFA and mail limits. Counted in the shared store (one
 * limit across instances), through {@link BudgetLeases}: a busy client's requests are counted
 * there a lease at a time instead of one round trip each, never letting more through than the
 * limit.
 */
@Injectable()
export class RequestThrottle {
  private readonly perIp: Limiter;
  private readonly leases: BudgetLeases;

  constructor(
    @InjectConfig() config: AppConfig,
    @Inject(PROTECTION_WINDOWS) windows: ProtectionWindows,
    limiters: LimiterFactory,
    private readonly keys: LimitKeys,
  ) {
    const perIp = (this.perIp = limiters.create({
      keyPrefix: 'rl:auth-ip',
      points: config.limits.authPerIpPerMinute,
      durationSeconds: windows.request,
    }));
    // Leases are kept per IP bucket in memory; only the shared key is a keyed hash.
    this.leases = new BudgetLeases({
      points: perIp.points,
      take: (bucket, points) => perIp.hit(this.keys.ip(bucket), points),
      maxLease: config.limits.authPerIpLease,
    });
  }

  /**
   * Spends one request of the client's budget.
   * @throws ThrottledError `protection.rate_limited` past it.
   */
  async consume(ip: string): Promise<void> {
    const spent = await this.leases.spend(ipBucket(ip));
    if (!spent.ok) {
      // Counted for metrics like any refusal, also when the lease refuses without Redis.
      throw this.perIp.refuse('protection.rate_limited', {
        consumed: this.perIp.points + 1,
        msBeforeNext: spent.msBeforeNext,
      });
    }
  }
}
