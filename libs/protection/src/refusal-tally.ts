import { Injectable } from '@nestjs/common';

/**
 * How many requests each limiter has refused since this instance started, by limiter name
 * (`login-lock`, `login-email`, `mfa-user`, `auth-ip`, ...). Plain numbers, read by the app's
 * metrics at scrape time: counting a refusal costs one map update and no allocation.
 * Internal; {@link ProtectionStatus.refusals} is the public face.
 */
@Injectable()
export class RefusalTally {
  private readonly counts = new Map<string, number>();

  /** Makes `limiter` known with 0 refusals, so a scrape shows it before its first refusal. */
  register(limiter: string): void {
    if (!this.counts.has(limiter)) this.counts.set(limiter, 0);
  }

  record(limiter: string): void {
    this.counts.set(limiter, (this.counts.get(limiter) ?? 0) + 1);
  }

  snapshot(): ReadonlyMap<string, number> {
    return this.counts;
  }
}
