import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { type Limiter, LimiterFactory } from './limiter';
import { LimitKeys } from './limit-keys';
import { PROTECTION_WINDOWS, type ProtectionWindows } from './protection.windows';

/** A request that may send mail (register, resend verification, forgot password). */
export interface MailRequest {
  email: string;
  ip: string;
}

/**
 * Limits requests that send mail: `mailPerEmailPerHour` per normalised email (so nobody can
 * flood a mailbox) and `mailPerIpPerHour` per IP (so nobody can spray many mailboxes). It
 * never asks whether the email has an account: known and unknown addresses spend the same
 * budget, so a 429 reveals nothing about who is registered.
 */
@Injectable()
export class MailThrottle {
  private readonly perEmail: Limiter;
  private readonly perIp: Limiter;

  constructor(
    @InjectConfig() config: AppConfig,
    @Inject(PROTECTION_WINDOWS) windows: ProtectionWindows,
    limiters: LimiterFactory,
    private readonly keys: LimitKeys,
  ) {
    this.perEmail = limiters.create({
      keyPrefix: 'rl:mail-email',
      points: config.limits.mailPerEmailPerHour,
      durationSeconds: windows.mail,
    });
    this.perIp = limiters.create({
      keyPrefix: 'rl:mail-ip',
      points: config.limits.mailPerIpPerHour,
      durationSeconds: windows.mail,
    });
  }

  /**
   * Spends one request of the IP's and the email's budgets. Call it for every such request,
   * before looking the email up.
   * @throws ThrottledError `protection.rate_limited` past either budget.
   */
  async consume(request: MailRequest): Promise<void> {
    const ip = await this.perIp.hit(this.keys.ip(request.ip));
    if (ip.consumed > this.perIp.points) {
      // Checked first and on its own: an IP over its budget must not go on to spend other
      // people's per-email budgets and so block their mail.
      throw this.perIp.refuse('protection.rate_limited', ip);
    }
    const email = await this.perEmail.hit(this.keys.email(request.email));
    if (email.consumed > this.perEmail.points) {
      throw this.perEmail.refuse('protection.rate_limited', email);
    }
  }
}
