/**
 * Webhooks for SOC/SIEM receivers (API.md, "Webhooks (SOC/SIEM)"): the building blocks of a
 * delivery, each pure or self-contained, for the outbox channel to put together.
 *
 * @example
 * // When the event commits (fan-out, one outbox row per subscribed receiver):
 * const body = buildWebhookBody(event, receiver.format, { product }); // null: not sent
 * // At each attempt (the row's id is the stable webhook-id):
 * const headers = signWebhook({ id: row.id, timestamp: new Date(), body, secrets });
 * const outcome = await sender.send({ url: receiver.url, body, headers, allowPrivate });
 * if (!outcome.ok) decideWebhookRetry(row.attempts); // retry after the delay, or dead
 */
export {
  WEBHOOK_EVENT_TYPES,
  isWebhookEventType,
  type WebhookEventType,
  type WebhookEventMap,
  type UpcomingWebhookEventMap,
  type WebhookEvent,
  type AnyWebhookEvent,
} from './webhook-events';
export {
  buildWebhookBody,
  buildStandardPayload,
  WEBHOOK_FORMATS,
  type WebhookFormat,
  type WebhookBodyContext,
  type StandardWebhookPayload,
} from './webhook-payload';
export {
  buildOcsfEvent,
  ocsfClassOf,
  OCSF_NOT_SENT,
  OCSF_SCHEMA_VERSION,
  OCSF_CLASS,
  type OcsfEvent,
  type OcsfProduct,
  type OcsfUser,
} from './ocsf';
export {
  signWebhook,
  isValidWebhookSecret,
  generateWebhookSecret,
  WebhookSignatureError,
  type WebhookSignatureHeaders,
  type WebhookSigningInput,
} from './webhook-signature';
export {
  checkTargetUrl,
  resolveTarget,
  isBlockedAddress,
  blockedRangeOf,
  WebhookTargetError,
  type WebhookTargetErrorCode,
  type LookupAll,
  type ResolvedAddress,
  type ResolvedTarget,
  type ResolveTargetOptions,
} from './target-policy';
export {
  WebhookSender,
  WEBHOOK_TIMEOUT_MS,
  WEBHOOK_USER_AGENT,
  type WebhookSendError,
  type WebhookSendOutcome,
  type WebhookSendRequest,
  type WebhookSenderOptions,
} from './webhook-sender';
export {
  nextAttemptDelay,
  isDead,
  decideWebhookRetry,
  WEBHOOK_FIRST_RETRY_DELAY_MS,
  WEBHOOK_MAX_ATTEMPTS,
  WEBHOOK_MAX_RETRY_DELAY_MS,
  WEBHOOK_RETRY_JITTER,
} from './webhook-retry';
