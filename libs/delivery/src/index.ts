/**
 * Delivery: the durable outbox (rows commit with the change that caused them, any number of
 * instances drain them with `FOR UPDATE SKIP LOCKED` and a lease, failures retry with
 * doubling backoff) and its channels: email, and webhooks for SOC/SIEM receivers (their
 * registry with sealed secrets, the fan-out of events into deliveries in the emitting
 * transaction, per-user ordering, signing, the SSRF-checked send, the operators' use cases
 * and metrics).
 *
 * @example
 * await db.withTransaction(async (tx) => {
 *   const user = await users.create(input, tx);
 *   await email.queue(tx, { template: 'verify_email', to: user.email, vars: { token } });
 * });
 */
export { DeliveryModule } from './delivery.module';
export { EmailService } from './email.service';
export { SealedOutbox } from './sealed-outbox';
export {
  renderEmail,
  availableMailLocales,
  verifyEmailLink,
  resetPasswordLink,
  EMAIL_TEMPLATES,
  type EmailMessage,
  type EmailTemplate,
  type EmailTemplateVars,
  type RenderContext,
  type RenderedEmail,
} from './email.templates';
export { Mailer, type OutgoingMail } from './mailer';
export { MailLanguages, parseAcceptLanguage, negotiateLocale } from './mail-locale';
export { TemplateOverrides } from './email.overrides';
export { BUILT_IN_CATALOGS, DEFAULT_MAIL_LOCALE } from './email.catalog';
export type {
  OutboxKind,
  OutboxPayload,
  OutboxMessage,
  ClaimedMessage,
  ClaimedReceiver,
  WebhookDeliveryRef,
} from './outbox-message';
export { OutboxRepository, REDACTED_PAYLOAD } from './outbox.repository';
export {
  OutboxWorker,
  OutboxAttemptError,
  type OutboxHandler,
  type OutboxAttemptResult,
  type OutboxChannelOptions,
  type OutboxDeliveryContext,
  type OutboxOutcome,
} from './outbox.worker';
export {
  decideRetry,
  retryDelayMs,
  OUTBOX_MAX_ATTEMPTS,
  FIRST_RETRY_DELAY_MS,
  type RetryDecision,
} from './outbox.retry';
export { DeliveryError, describeDeliveryError, type DeliveryErrorCode } from './delivery.errors';
export {
  WebhookEndpointService,
  SECRET_ROTATION_OVERLAP_SECONDS,
  RECEIVER_DISABLED_ERROR,
  type NewWebhookEndpoint,
  type WebhookEndpointPatch,
  type WebhookSubscription,
} from './webhooks/webhook-endpoints.service';
export {
  WebhookDeliveryService,
  type WebhookDeliveryQuery,
  type WebhookDeliveryPage,
} from './webhooks/webhook-deliveries.service';
export type { WebhookEndpoint } from './webhooks/webhook-endpoints.table';
export {
  WEBHOOK_DELIVERY_STATUSES,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from './outbox.table';
export {
  WebhookEndpointError,
  type WebhookEndpointErrorCode,
} from './webhooks/webhook-endpoint.errors';
export { WebhookMetrics } from './webhooks/webhook-metrics';
export { WebhookSubscriptions, WEBHOOKS_CHANGED_CHANNEL } from './webhooks/webhook-subscriptions';
export { WEBHOOK_DNS, type WebhookDns } from './webhooks/webhook-dns';
export { WEBHOOK_PRODUCT } from './webhooks/webhook-product';
export * from './webhooks';
