import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { Clock } from '@identity/kernel';
import type { OutboxOutcome } from '../outbox.worker';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';

/**
 * Prometheus metrics of webhook delivery, in a registry of their own that `/metrics` serves
 * beside the HTTP ones (one per app instance, so several apps in one process do not collide):
 * - `webhook_deliveries_total{outcome}`: attempts by outcome, `delivered`, `failed` (will be
 *   retried) or `dead` (given up). The rate of `failed` is the early alarm.
 * - `webhook_oldest_pending_delivery_age_seconds`: how long the oldest delivery not yet
 *   delivered nor dead has waited (0 when none), read from Postgres at each scrape, so it
 *   is the same on every instance: a receiver down, or workers that cannot keep up.
 */
@Injectable()
export class WebhookMetrics {
  readonly registry = new Registry();
  private readonly deliveries: Counter<'outcome'>;

  constructor(deliveries: WebhookDeliveryRepository, clock: Clock) {
    this.deliveries = new Counter({
      name: 'webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, failed and retried, dead)',
      labelNames: ['outcome'],
      registers: [this.registry],
    });
    for (const outcome of ['delivered', 'failed', 'dead'] as const) {
      this.deliveries.inc({ outcome }, 0);
    }
    new Gauge({
      name: 'webhook_oldest_pending_delivery_age_seconds',
      help: 'Age of the oldest webhook delivery neither delivered nor dead (0 when none)',
      registers: [this.registry],
      async collect() {
        const oldest = await deliveries.oldestPendingCreatedAt();
        this.set(oldest ? Math.max(0, (clock.nowMs() - oldest.getTime()) / 1000) : 0);
      },
    });
  }

  /** Counts one recorded attempt. */
  record(outcome: OutboxOutcome): void {
    this.deliveries.inc({ outcome });
  }
}
