import { Module } from '@nestjs/common';
import { EmailService } from './email.service';
import { Mailer } from './mailer';
import { OutboxEntity } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { OutboxWorker } from './outbox.worker';

/** Entities of this context, for `DatabaseModule.forRoot({ entities })`. */
export const DELIVERY_ENTITIES = [OutboxEntity];

/**
 * The durable outbox, its worker and the email channel. Needs the global `ConfigModule` and
 * `DatabaseModule` (with {@link DELIVERY_ENTITIES}). Other channels (webhooks) register on
 * the exported `OutboxWorker` at module init.
 */
@Module({
  providers: [OutboxRepository, OutboxWorker, Mailer, EmailService],
  exports: [EmailService, OutboxWorker, OutboxRepository],
})
export class DeliveryModule {}
