import { Global, Module } from '@nestjs/common';
import { AuditLogRepository } from './audit-log.repository';
import { AuditService } from './audit.service';
import { AuditSubscriber } from './audit.subscriber';
import { EventBus } from './event-bus';

/**
 * The event spine and the audit trail. Global, so every domain module can inject the one
 * {@link EventBus}. Needs `DatabaseModule.forRoot`.
 */
@Global()
@Module({
  providers: [EventBus, AuditLogRepository, AuditService, AuditSubscriber],
  exports: [EventBus, AuditLogRepository, AuditService],
})
export class AuditModule {}
