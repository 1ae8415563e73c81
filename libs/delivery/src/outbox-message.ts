/**
 * What an outbox row carries; one channel per kind (the `ck_outbox_kind` constraint):
 * `email`, `webhook`, and `account_request` (an account request whose lookup and mail happen
 * in the worker, so the request path does the same work for every address).
 */
export type OutboxKind = 'email' | 'webhook' | 'account_request';

/** The jsonb body of a row. Channels define its shape; the outbox never looks inside. */
export type OutboxPayload = Record<string, unknown>;

/** What makes a row a webhook delivery (all set for `kind = 'webhook'`, none otherwise). */
export interface WebhookDeliveryRef {
  endpointId: string;
  /** The `webhook-id`: stable across retries and manual retries. */
  deliveryId: string;
  eventType: string;
  /** The user the event is about: deliveries to one receiver for one user go out in order. */
  orderKey: string | null;
}

/**
 * One durable message: committed with the change that caused it, then drained by
 * `OutboxWorker`. Pending = neither `deliveredAt` nor `deadAt`.
 */
export interface OutboxMessage {
  /** bigint: the pg driver hands it over as a string, so it stays one (no precision loss). */
  id: string;
  kind: OutboxKind;
  payload: OutboxPayload;
  /** Attempts made so far (successful or not). */
  attempts: number;
  /** When the next attempt is due (the retry schedule; meaningless once settled). */
  nextAttemptAt: Date;
  /** Set while an instance is sending it; nobody else claims it before then. */
  leasedUntil: Date | null;
  lastError: string | null;
  /** The HTTP status of the last webhook attempt, when there was an answer. */
  lastStatusCode: number | null;
  createdAt: Date;
  deliveredAt: Date | null;
  deadAt: Date | null;
  webhook: WebhookDeliveryRef | null;
}

/** The receiver of a claimed webhook row, as it is at the moment of the claim. */
export interface ClaimedReceiver {
  url: string;
  /** Sealed under the key-encryption key with the endpoint id as aad. */
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretExpiresAt: Date | null;
}

/** A row claimed for sending: webhook rows come with their receiver's current settings. */
export interface ClaimedMessage extends OutboxMessage {
  receiver: ClaimedReceiver | null;
}
