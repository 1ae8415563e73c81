import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { type Limiter, LimiterFactory } from './limiter';
import { LimitKeys } from './limit-keys';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/**
 * The general per-IP limit on `/auth/*` (`authPerIpPerMinute`): a ceiling on any one client's
 * traffic, under the specific login, MFA and mail limits.
 */
@Injectable()
export class RequestThrottle {
  private readonly perIp: Limiter;

  constructor(
    @InjectConfig() config: AppConfig,
    @Inject(PROTECTION_WINDOWS) windows: ProtectionWindows,
    limiters: LimiterFactory,
    private readonly keys: LimitKeys,
  ) {
    this.perIp = limiters.create({
      keyPrefix: 'rl:auth-ip',
      points: config.limits.authPerIpPerMinute,
      durationSeconds: windows.request,
    });
  }

  /**
   * Spends one request of the client's budget.
   * @throws ThrottledError `protection.rate_limited` past it.
   */
  async consume(ip: string): Promise<void> {
    const count = await this.perIp.hit(this.keys.ip(ip));
    if (count.consumed > this.perIp.points) {
      throw this.perIp.refuse('protection.rate_limited', count);
    }
  }
}
