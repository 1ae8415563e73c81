import { Global, Module } from '@nestjs/common';
import { AuditLogEntity } from './audit-log.entity';
import { AuditLogRepository } from './audit-log.repository';
import { AuditService } from './audit.service';
import { AuditSubscriber } from './audit.subscriber';
import { EventBus } from './event-bus';

/** Entities of the audit context, for `DatabaseModule.forRoot({ entities })`. */
export const AUDIT_ENTITIES = [AuditLogEntity];

/**
 * The event spine and the audit trail. Global, so every domain module can inject the one
 * {@link EventBus}. Needs `DatabaseModule.forRoot` with {@link AUDIT_ENTITIES} among its
 * entities.
 */
@Global()
@Module({
  providers: [EventBus, AuditLogRepository, AuditService, AuditSubscriber],
  exports: [EventBus, AuditLogRepository, AuditService],
})
export class AuditModule {}
