import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventBus, type IdentityEvent } from '@identity/audit';
import { Database, type Tx } from '@identity/database';
import { Clock } from '@identity/kernel';
import { OutboxWorker } from '../outbox.worker';
import { type FanOutBodies, WebhookDeliveryRepository } from './webhook-delivery.repository';
import { type AnyWebhookEvent, isWebhookEventType } from './webhook-events';
import { buildWebhookBody } from './webhook-payload';
import { WEBHOOK_PRODUCT } from './webhook-product';
import { WebhookSubscriptions } from './webhook-subscriptions';

/** The bodies of `event` in every format, built once and stored with each delivery. */
export function webhookBodies(event: AnyWebhookEvent): FanOutBodies {
  const context = { product: WEBHOOK_PRODUCT };
  return {
    // The standard format carries every type.
    standard: buildWebhookBody(event, 'standard', context) ?? '',
    ocsf: buildWebhookBody(event, 'ocsf', context),
  };
}

/**
 * Turns events into webhook deliveries in the emitting transaction: one outbox row per
 * enabled receiver subscribed to the event's type (or to `*`), with the body of its format,
 * committed with the change or not at all (a rolled-back change sends nothing). Once the
 * transaction commits, the worker is nudged, so deliveries leave within milliseconds.
 *
 * Per event, the cost is an in-memory lookup when no receiver wants the type (most events),
 * and one `INSERT ... SELECT` when some does. `webhook.test` is not fanned out: the test use
 * case writes it for its one receiver.
 */
@Injectable()
export class WebhookFanOut implements OnModuleInit {
  constructor(
    private readonly bus: EventBus,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly worker: OutboxWorker,
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.bus.onTransaction('*', (event, tx) => this.fanOut(event, tx));
  }

  private async fanOut(event: IdentityEvent, tx: Tx): Promise<void> {
    if (!isWebhookEventType(event.type) || event.type === 'webhook.test') return;
    if (!(await this.subscriptions.anySubscribed(event.type, tx))) return;
    // The domain's payload types are the webhook ones for every contract type it emits.
    const webhookEvent = event as unknown as AnyWebhookEvent;
    const written = await this.deliveries.fanOut(
      {
        type: event.type,
        orderKey: event.payload.userId ?? null,
        bodies: webhookBodies(webhookEvent),
        now: this.clock.now(),
      },
      tx,
    );
    if (written > 0) this.db.afterCommit(tx, () => this.worker.nudge());
  }
}
