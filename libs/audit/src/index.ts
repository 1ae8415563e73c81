/**
 * `@identity/audit`: the event spine (typed events, the in-process bus) and the append-only,
 * hash-chained audit trail that records every event in the emitter's transaction.
 */
export {
  EventBus,
  type EventFilter,
  type TransactionalHandler,
  type AfterCommitHandler,
} from './event-bus';
export {
  IDENTITY_EVENT_TYPES,
  type IdentityEvent,
  type IdentityEventMap,
  type IdentityEventType,
  type EventBase,
  type LoginFailureReason,
  type RevocationReason,
  type SignInMethod,
} from './identity-events';
export { AuditModule } from './audit.module';
export { AuditService, type AuditListQuery, type AuditItem, type AuditPage } from './audit.service';
export {
  AuditLogRepository,
  type AuditAppendInput,
  type AuditListFilters,
  type UserAuditFilters,
  type AuditLogPage,
  type ChainVerification,
} from './audit-log.repository';
export { type AuditLogEntry } from './audit-log.table';
