import { DomainError } from '@identity/kernel';

/**
 * Codes of the webhook endpoint registry's refusals; `domain-errors.ts` maps them (400
 * `validation_failed`, 404 `not_found`).
 */
export type WebhookEndpointErrorCode =
  /** Not an absolute http(s) URL, or one with credentials or a fragment. */
  | 'webhook.invalid_url'
  /** The receiver is (or resolves to) a loopback/private address while those are refused. */
  | 'webhook.private_target'
  /** A secret that is not `whsec_` + base64 of 24 to 64 bytes. */
  | 'webhook.invalid_secret'
  /** No endpoint has this id. */
  | 'webhook.not_found';

/** A refusal of the webhook endpoint registry. */
export class WebhookEndpointError extends DomainError<WebhookEndpointErrorCode> {}
