import { DomainError } from '@identity/kernel';

/**
 * Codes of the webhook registry's refusals; `domain-errors.ts` maps them (400
 * `validation_failed`, 404 `not_found`, 409).
 */
export type WebhookEndpointErrorCode =
  /** Not an absolute http(s) URL, or one with credentials or a fragment. */
  | 'webhook.invalid_url'
  /** The receiver is (or resolves to) an address the target policy refuses. */
  | 'webhook.private_target'
  /** A secret that is not `whsec_` + canonical base64 of 24 to 64 bytes. */
  | 'webhook.invalid_secret'
  /** No endpoint has this id. */
  | 'webhook.not_found'
  /** The endpoint has no delivery with this id. */
  | 'webhook.delivery_not_found'
  /** A retry of a delivery that was delivered already. */
  | 'webhook.already_delivered'
  /** A test delivery to a disabled receiver (it would never leave). */
  | 'webhook.disabled';

/** A refusal of the webhook registry. */
export class WebhookEndpointError extends DomainError<WebhookEndpointErrorCode> {}
