import { randomBytes, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EventBus, type IdentityEventType } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { Database } from '@identity/database';
import { WebhookEndpointError } from './webhook-endpoint.errors';
import { type WebhookEndpointRow, WebhookEndpointRepository } from './webhook-endpoint.repository';
import { checkWebhookTarget } from './webhook-target.policy';

/** What `POST /admin/webhooks` carries (event types already checked by the transport). */
export interface NewWebhookEndpoint {
  url: string;
  events: readonly IdentityEventType[];
  /** `whsec_` + base64; generated when absent. */
  secret?: string;
  actorId: string;
}

const SECRET = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * The registry of SOC/SIEM webhook receivers (Standard Webhooks). The secret is shown once, at
 * creation, and stored sealed under the key-encryption key, bound to the row id.
 */
@Injectable()
export class WebhookEndpointService {
  private readonly box: SecretBox;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly db: Database,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly events: EventBus,
  ) {
    this.box = new SecretBox(config.secrets.keyEncryptionKey);
  }

  /**
   * Registers a receiver and emits `webhook.created`, in one transaction.
   * @throws WebhookEndpointError `webhook.invalid_url`, `webhook.private_target` (a loopback or
   *   private receiver while `WEBHOOK_ALLOW_PRIVATE` is false) or `webhook.invalid_secret`.
   */
  async create(input: NewWebhookEndpoint): Promise<WebhookEndpointRow & { secret: string }> {
    const url = await checkWebhookTarget(input.url, this.config.webhooks.allowPrivate);
    const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64')}`;
    const bytes = Buffer.from(SECRET.exec(secret)?.[1] ?? '', 'base64').length;
    if (bytes < 24 || bytes > 64) throw new WebhookEndpointError('webhook.invalid_secret');
    const id = randomUUID();
    const endpoint = await this.db.withTransaction(async (manager) => {
      const row = await this.endpoints.insert(
        {
          id,
          url,
          events: [...new Set(input.events)],
          secretEnc: this.box.encrypt(secret, id),
          kekId: this.box.kekId,
        },
        manager,
      );
      await this.events.emit(manager, 'webhook.created', {
        webhookId: id,
        actorId: input.actorId,
      });
      return row;
    });
    return { ...endpoint, secret };
  }

  list(): Promise<WebhookEndpointRow[]> {
    return this.endpoints.list();
  }

  /**
   * Removes a receiver and emits `webhook.deleted`, in one transaction.
   * @throws WebhookEndpointError `webhook.not_found` for an unknown id.
   */
  async delete(id: string, actorId: string): Promise<void> {
    await this.db.withTransaction(async (manager) => {
      if (!(await this.endpoints.delete(id, manager))) {
        throw new WebhookEndpointError('webhook.not_found');
      }
      await this.events.emit(manager, 'webhook.deleted', { webhookId: id, actorId });
    });
  }
}
