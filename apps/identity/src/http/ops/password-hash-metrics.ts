import { Injectable } from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { PasswordHasher } from '@identity/passwords';
import { HttpMetrics } from './http-metrics';

/**
 * Password hashing load on `/metrics`, read from the hasher at scrape time: the argon2 wait
 * queue (alert when it sits near its limit), hashes in flight, and hashes shed with 503
 * `overloaded` because the queue was full.
 */
@Injectable()
export class PasswordHashMetrics {
  constructor(metrics: HttpMetrics, hasher: PasswordHasher) {
    const registers = [metrics.registry];
    new Gauge({
      name: 'identity_password_hash_queue_depth',
      help: 'Password hashes (argon2) waiting for a slot',
      registers,
      collect() {
        this.set(hasher.load.queued);
      },
    });
    new Gauge({
      name: 'identity_password_hash_queue_limit',
      help: 'Password hashes allowed to wait (ARGON2_QUEUE_LIMIT); more are shed',
      registers,
      collect() {
        this.set(hasher.load.queueLimit);
      },
    });
    new Gauge({
      name: 'identity_password_hash_in_flight',
      help: 'Password hashes (argon2) computing now',
      registers,
      collect() {
        this.set(hasher.load.inFlight);
      },
    });
    let reported = 0;
    new Counter({
      name: 'identity_password_hash_shed_total',
      help: 'Password hashes refused (503 overloaded) because the wait queue was full',
      registers,
      collect() {
        const total = hasher.load.shedTotal;
        if (total > reported) this.inc(total - reported);
        reported = total;
      },
    });
  }
}
