import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { Clock } from '@identity/kernel';
import { DeliveryError } from '../delivery.errors';
import type { ClaimedReceiver, OutboxPayload } from '../outbox-message';
import {
  OutboxAttemptError,
  type OutboxAttemptResult,
  type OutboxDeliveryContext,
  OutboxWorker,
} from '../outbox.worker';
import { WEBHOOK_DNS, type WebhookDns } from './webhook-dns';
import { WebhookMetrics } from './webhook-metrics';
import { decideWebhookRetry } from './webhook-retry';
import { WebhookSender } from './webhook-sender';
import { signWebhook, WebhookSignatureError } from './webhook-signature';

/**
 * The outbox's `webhook` channel: one attempt of one delivery. At each attempt it signs the
 * stored body with the receiver's secrets as they are now (two during a rotation's 24 h),
 * with the delivery id as `webhook-id` (the same at every retry), and sends it through
 * `WebhookSender`, which checks the target policy again (DNS may have changed since
 * registration) and connects only to the addresses it checked. Any answer but 2xx, and any
 * failure to get one, is a failed attempt retried on the webhook schedule (5 s doubling with
 * jitter, 11 attempts), then dead.
 */
@Injectable()
export class WebhookChannel implements OnModuleInit {
  private readonly box: SecretBox;

  constructor(
    private readonly worker: OutboxWorker,
    private readonly sender: WebhookSender,
    private readonly metrics: WebhookMetrics,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {
    this.box = new SecretBox(config.secrets.keyEncryptionKey);
  }

  onModuleInit(): void {
    this.worker.register('webhook', (payload, context) => this.deliver(payload, context), {
      retry: (attemptsMade) => decideWebhookRetry(attemptsMade),
      onOutcome: (outcome) => this.metrics.record(outcome),
    });
  }

  /**
   * @throws DeliveryError when the row cannot be sent by any retry (no receiver, no body).
   * @throws OutboxAttemptError for a failed attempt (with the HTTP status when there was one).
   */
  private async deliver(
    payload: OutboxPayload,
    context: OutboxDeliveryContext,
  ): Promise<OutboxAttemptResult> {
    const { webhook, receiver } = context.message;
    const body = payload.body;
    if (!webhook || !receiver || typeof body !== 'string') {
      throw new DeliveryError('delivery.payload_unreadable', {
        message: 'webhook row without receiver or body',
      });
    }
    const now = this.clock.now();
    const headers = this.sign({
      id: webhook.deliveryId,
      timestamp: now,
      body,
      secrets: this.secrets(webhook.endpointId, receiver, now),
    });
    const outcome = await this.sender.send({
      url: receiver.url,
      body,
      headers,
      allowPrivate: this.config.webhooks.allowPrivate,
    });
    if (!outcome.ok) throw new OutboxAttemptError(outcome.message, outcome.status);
    return { statusCode: outcome.status };
  }

  /** @throws DeliveryError for a stored secret no retry can make valid. */
  private sign(input: Parameters<typeof signWebhook>[0]): ReturnType<typeof signWebhook> {
    try {
      return signWebhook(input);
    } catch (err) {
      if (!(err instanceof WebhookSignatureError)) throw err;
      throw new DeliveryError('delivery.payload_unreadable', { message: err.message });
    }
  }

  /**
   * The secrets that sign now: the current one, and the previous one while its rotation
   * window lasts. A box that does not open throws a plain Error (retried: the likely cause
   * is one instance with a wrong KEY_ENCRYPTION_KEY, and another instance may open it).
   */
  private secrets(
    endpointId: string,
    receiver: ClaimedReceiver,
    now: Date,
  ): [string] | [string, string] {
    const current = this.open(receiver.secretEnc, endpointId);
    const { previousSecretEnc, previousSecretExpiresAt } = receiver;
    if (previousSecretEnc && previousSecretExpiresAt && previousSecretExpiresAt > now) {
      return [current, this.open(previousSecretEnc, endpointId)];
    }
    return [current];
  }

  private open(box: string, endpointId: string): string {
    try {
      return this.box.decryptString(box, endpointId);
    } catch {
      throw new Error('webhook secret does not open with this key-encryption key');
    }
  }
}

/** The sender the channel uses, resolving through {@link WEBHOOK_DNS}. */
export const webhookSenderProvider = {
  provide: WebhookSender,
  useFactory: (dns: WebhookDns) => new WebhookSender(dns.lookup ? { lookup: dns.lookup } : {}),
  inject: [WEBHOOK_DNS],
};
