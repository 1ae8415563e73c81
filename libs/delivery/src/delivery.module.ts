import { Module } from '@nestjs/common';
import { EmailService } from './email.service';
import { Mailer } from './mailer';
import { OutboxRepository } from './outbox.repository';
import { OutboxWorker } from './outbox.worker';
import { webhookSenderProvider, WebhookChannel } from './webhooks/webhook-channel';
import { WebhookDeliveryService } from './webhooks/webhook-deliveries.service';
import { WebhookDeliveryRepository } from './webhooks/webhook-delivery.repository';
import { WEBHOOK_DNS, type WebhookDns } from './webhooks/webhook-dns';
import { WebhookEndpointRepository } from './webhooks/webhook-endpoint.repository';
import { WebhookEndpointService } from './webhooks/webhook-endpoints.service';
import { WebhookFanOut } from './webhooks/webhook-fan-out';
import { WebhookMetrics } from './webhooks/webhook-metrics';
import { WebhookSubscriptions } from './webhooks/webhook-subscriptions';
import { SealedOutbox } from './sealed-outbox';

/** The system resolver (see `WEBHOOK_DNS`). */
const SYSTEM_DNS: WebhookDns = {};

/**
 * The durable outbox, its worker and its channels (email, webhooks), the webhook registry
 * and the fan-out of events to receivers. Needs the global `ConfigModule`, `ClockModule`,
 * `DatabaseModule`, `KvModule` (receiver changes cross instances on its pub/sub) and
 * `AuditModule` (the `EventBus`).
 */
@Module({
  providers: [
    OutboxRepository,
    OutboxWorker,
    Mailer,
    EmailService,
    SealedOutbox,
    { provide: WEBHOOK_DNS, useValue: SYSTEM_DNS },
    webhookSenderProvider,
    WebhookEndpointRepository,
    WebhookDeliveryRepository,
    WebhookSubscriptions,
    WebhookMetrics,
    WebhookChannel,
    WebhookFanOut,
    WebhookEndpointService,
    WebhookDeliveryService,
  ],
  exports: [
    EmailService,
    SealedOutbox,
    OutboxWorker,
    OutboxRepository,
    WebhookEndpointService,
    WebhookDeliveryService,
    WebhookMetrics,
  ],
})
export class DeliveryModule {}
