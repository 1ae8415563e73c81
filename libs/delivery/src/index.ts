/**
 * Delivery: the durable outbox (rows commit with the change that caused them, any number of
 * instances drain them with `FOR UPDATE SKIP LOCKED`, failures retry with doubling backoff)
 * and its channels (email), and the registry of webhook receivers (their target policy and
 * sealed secrets).
 *
 * @example
 * await db.withTransaction(async (manager) => {
 *   const user = await users.create(manager, input);
 *   await email.queue(manager, { template: 'verify_email', to: user.email, vars: { token } });
 * });
 */
export { DeliveryModule, DELIVERY_ENTITIES } from './delivery.module';
export { EmailService } from './email.service';
export {
  renderEmail,
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
export { OutboxEntity, type OutboxKind, type OutboxPayload } from './outbox.entity';
export { OutboxRepository, REDACTED_PAYLOAD } from './outbox.repository';
export {
  OutboxWorker,
  type OutboxHandler,
  type OutboxChannelOptions,
  type OutboxDeliveryContext,
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
  type NewWebhookEndpoint,
} from './webhooks/webhook-endpoints.service';
export { type WebhookEndpointRow } from './webhooks/webhook-endpoint.repository';
export {
  WebhookEndpointError,
  type WebhookEndpointErrorCode,
} from './webhooks/webhook-endpoint.errors';
