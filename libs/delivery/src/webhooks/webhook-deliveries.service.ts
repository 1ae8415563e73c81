import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { Database } from '@identity/database';
import { Clock } from '@identity/kernel';
import type { WebhookDelivery, WebhookDeliveryStatus } from '../outbox.table';
import { OutboxWorker } from '../outbox.worker';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointError } from './webhook-endpoint.errors';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import { webhookBodies } from './webhook-fan-out';

/** `GET /admin/webhooks/:id/deliveries`: one status or all, newest first, keyset paging. */
export interface WebhookDeliveryQuery {
  status?: WebhookDeliveryStatus;
  /** A delivery id: the page starts after it (the previous page's `nextBefore`). */
  before?: string;
  /** Default 50. */
  limit?: number;
}

export interface WebhookDeliveryPage {
  items: WebhookDelivery[];
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: string | null;
}

const DEFAULT_PAGE = 50;

/**
 * What operators do with deliveries: send a test event to one receiver, look at a
 * receiver's deliveries, and send a failed or dead one again at once.
 */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly worker: OutboxWorker,
    private readonly events: EventBus,
  ) {}

  /**
   * Queues a `webhook.test` event to this receiver only (whatever it subscribed to), in its
   * format, and audits the request. Returns the delivery id (its `webhook-id`).
   * @throws WebhookEndpointError `webhook.not_found`, or `webhook.disabled` (it would never
   *   leave: disabled receivers get nothing).
   */
  async sendTest(endpointId: string, actorId: string): Promise<string> {
    const deliveryId = await this.db.withTransaction(async (tx) => {
      const payload = { webhookId: endpointId, actorId };
      await this.events.emit(tx, 'webhook.test', payload);
      const now = this.clock.now();
      const id = await this.deliveries.insertFor(
        {
          endpointId,
          type: 'webhook.test',
          bodies: webhookBodies({ type: 'webhook.test', payload, at: now }),
          now,
        },
        tx,
      );
      if (id) {
        this.db.afterCommit(tx, () => this.worker.nudge());
        return id;
      }
      const endpoint = await this.endpoints.findById(endpointId, tx);
      throw new WebhookEndpointError(endpoint ? 'webhook.disabled' : 'webhook.not_found');
    });
    return deliveryId;
  }

  /** @throws WebhookEndpointError `webhook.not_found` for an unknown receiver. */
  async list(endpointId: string, query: WebhookDeliveryQuery = {}): Promise<WebhookDeliveryPage> {
    if (!(await this.endpoints.findById(endpointId))) {
      throw new WebhookEndpointError('webhook.not_found');
    }
    const limit = query.limit ?? DEFAULT_PAGE;
    const items = await this.deliveries.list(endpointId, { ...query, limit });
    return { items, nextBefore: items.length === limit ? (items.at(-1)?.id ?? null) : null };
  }

  /**
   * Sends a failed or dead delivery again at once, with the same `webhook-id` (a dead one
   * gets one more attempt, then is dead again if that fails too). Per-user order still
   * holds: behind an earlier pending delivery to the same receiver for the same user, it
   * goes right after that one.
   * @throws WebhookEndpointError `webhook.delivery_not_found` (also for another receiver's
   *   delivery), `webhook.already_delivered`.
   */
  async retry(endpointId: string, deliveryId: string): Promise<void> {
    const result = await this.deliveries.makeDue(endpointId, deliveryId, this.clock.now());
    if (result === 'not_found') throw new WebhookEndpointError('webhook.delivery_not_found');
    if (result === 'delivered') throw new WebhookEndpointError('webhook.already_delivered');
    this.worker.nudge();
  }
}
