import { Module } from '@nestjs/common';
import { EmailService } from './email.service';
import { Mailer } from './mailer';
import { OutboxEntity } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { OutboxWorker } from './outbox.worker';
import { WebhookEndpointRepository } from './webhooks/webhook-endpoint.repository';
import { WebhookEndpointService } from './webhooks/webhook-endpoints.service';

/** Entities of this context, for `DatabaseModule.forRoot({ entities })`. */
export const DELIVERY_ENTITIES = [OutboxEntity];

/**
 * The durable outbox, its worker, the email channel and the registry of webhook receivers.
 * Needs the global `ConfigModule`, `DatabaseModule` and `AuditModule` (the `EventBus`).
 */
@Module({
  providers: [
    OutboxRepository,
    OutboxWorker,
    Mailer,
    EmailService,
    WebhookEndpointRepository,
    WebhookEndpointService,
  ],
  exports: [EmailService, OutboxWorker, OutboxRepository, WebhookEndpointService],
})
export class DeliveryModule {}
