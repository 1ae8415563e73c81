import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { Inject, Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { Clock } from '@identity/kernel';
import { checkTargetUrl, resolveTarget, WebhookTargetError } from './target-policy';
import { WEBHOOK_DNS, type WebhookDns } from './webhook-dns';
import { WebhookDeliveryRepository } from './webhook-delivery.repository';
import { WebhookEndpointError } from './webhook-endpoint.errors';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';
import type { WebhookEndpoint } from './webhook-endpoints.table';
import type { WebhookEventType } from './webhook-events';
import type { WebhookFormat } from './webhook-payload';
import { generateWebhookSecret, isValidWebhookSecret } from './webhook-signature';
import { WebhookSubscriptions } from './webhook-subscriptions';

/** An event type a receiver may subscribe to, or `*` for all of them. */
export type WebhookSubscription = WebhookEventType | '*';

/** What `POST /admin/webhooks` carries (event types already checked by the transport). */
export interface NewWebhookEndpoint {
  url: string;
  events: readonly WebhookSubscription[];
  /** `whsec_` + base64; generated when absent. */
  secret?: string;
  /** Default `standard`. */
  format?: WebhookFormat;
  actorId: string;
}

/** What `PATCH /admin/webhooks/:id` carries; absent fields stay as they are. */
export interface WebhookEndpointPatch {
  url?: string;
  events?: readonly WebhookSubscription[];
  enabled?: boolean;
  format?: WebhookFormat;
}

/** During a rotation, the old secret signs beside the new one this long (API.md). */
export const SECRET_ROTATION_OVERLAP_SECONDS = 24 * 3600;

/** What a disabled receiver's pending deliveries are marked with. */
export const RECEIVER_DISABLED_ERROR = 'receiver disabled; not sent';

/**
 * The registry of SOC/SIEM webhook receivers (Standard Webhooks): register, change, disable,
 * delete, rotate the secret. Each change commits with its audit event; changes that alter who
 * gets what answer only once every instance has dropped its receiver list (see
 * `WebhookSubscriptions.propagated`). Secrets are shown once, when made, and stored sealed
 * under the key-encryption key, bound to the row id.
 */
@Injectable()
export class WebhookEndpointService {
  private readonly box: SecretBox;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Inject(WEBHOOK_DNS) private readonly dns: WebhookDns,
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly endpoints: WebhookEndpointRepository,
    private readonly deliveries: WebhookDeliveryRepository,
    private readonly subscriptions: WebhookSubscriptions,
    private readonly events: EventBus,
  ) {
    this.box = new SecretBox(config.secrets.keyEncryptionKey);
  }

  /**
   * Registers a receiver (enabled) and emits `webhook.created`, in one transaction.
   * @throws WebhookEndpointError `webhook.invalid_url`, `webhook.private_target` (a target the
   *   policy refuses, see `checkTarget`) or `webhook.invalid_secret`.
   */
  async create(input: NewWebhookEndpoint): Promise<WebhookEndpoint & { secret: string }> {
    const url = await this.checkTarget(input.url);
    const secret = input.secret ?? generateWebhookSecret();
    if (!isValidWebhookSecret(secret)) throw new WebhookEndpointError('webhook.invalid_secret');
    const id = randomUUID();
    const endpoint = await this.db.withTransaction(async (tx) => {
      const row = await this.endpoints.insert(
        {
          id,
          url,
          events: [...new Set(input.events)],
          format: input.format ?? 'standard',
          secretEnc: this.box.encrypt(secret, id),
          kekId: this.box.kekId,
          now: this.clock.now(),
        },
        tx,
      );
      await this.events.emit(tx, 'webhook.created', { webhookId: id, actorId: input.actorId });
      return row;
    });
    await this.subscriptions.propagated();
    return { ...endpoint, secret };
  }

  /** Every receiver, newest first. */
  list(): Promise<WebhookEndpoint[]> {
    return this.endpoints.list();
  }

  /** @throws WebhookEndpointError `webhook.not_found`. */
  async get(id: string): Promise<WebhookEndpoint> {
    const endpoint = await this.endpoints.findById(id);
    if (!endpoint) throw new WebhookEndpointError('webhook.not_found');
    return endpoint;
  }

  /**
   * Changes a receiver and emits `webhook.updated` naming what changed (nothing changed:
   * no event). Disabling it gives up on its pending deliveries in the same transaction: from
   * the commit on, no attempt of it starts on any instance (one already on the wire may
   * still arrive). A new URL is checked like at registration and used from the next attempt.
   * @throws WebhookEndpointError `webhook.not_found`, `webhook.invalid_url`,
   *   `webhook.private_target`.
   */
  async update(id: string, patch: WebhookEndpointPatch, actorId: string): Promise<WebhookEndpoint> {
    const url = patch.url === undefined ? undefined : await this.checkTarget(patch.url);
    const events = patch.events && [...new Set(patch.events)];
    const updated = await this.db.withTransaction(async (tx) => {
      const current = await this.endpoints.lockForChange(id, tx);
      if (!current) throw new WebhookEndpointError('webhook.not_found');
      const changes = changedFields(current, { ...patch, url, events });
      if (changes.length === 0) return current;
      const now = this.clock.now();
      const row = await this.endpoints.update(
        id,
        { url, events, format: patch.format, enabled: patch.enabled, now },
        tx,
      );
      if (!row) throw new WebhookEndpointError('webhook.not_found');
      if (current.enabled && !row.enabled) await this.abandonPending(id, now, tx);
      await this.events.emit(tx, 'webhook.updated', {
        webhookId: id,
        actorId,
        changes,
        enabled: row.enabled,
      });
      return row;
    });
    await this.subscriptions.propagated();
    return updated;
  }

  /**
   * Removes a receiver with its deliveries (pending ones are dropped) and emits
   * `webhook.deleted`, in one transaction.
   * @throws WebhookEndpointError `webhook.not_found` for an unknown id.
   */
  async delete(id: string, actorId: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      if (!(await this.endpoints.delete(id, tx))) {
        throw new WebhookEndpointError('webhook.not_found');
      }
      await this.events.emit(tx, 'webhook.deleted', { webhookId: id, actorId });
    });
    await this.subscriptions.propagated();
  }

  /**
   * Gives the receiver a new secret (returned, shown only here); the old one keeps signing
   * beside it for {@link SECRET_ROTATION_OVERLAP_SECONDS}, then stops. Emits
   * `webhook.secret_rotated`.
   * @throws WebhookEndpointError `webhook.not_found`.
   */
  async rotateSecret(id: string, actorId: string): Promise<{ secret: string }> {
    const secret = generateWebhookSecret();
    const now = this.clock.now();
    const previousValidUntil = this.clock.after(SECRET_ROTATION_OVERLAP_SECONDS);
    await this.db.withTransaction(async (tx) => {
      const rotated = await this.endpoints.rotateSecret(
        id,
        { secretEnc: this.box.encrypt(secret, id), kekId: this.box.kekId, previousValidUntil, now },
        tx,
      );
      if (!rotated) throw new WebhookEndpointError('webhook.not_found');
      await this.events.emit(tx, 'webhook.secret_rotated', {
        webhookId: id,
        actorId,
        previousValidUntil: previousValidUntil.toISOString(),
      });
    });
    return { secret };
  }

  private async abandonPending(id: string, now: Date, tx: Tx): Promise<void> {
    await this.deliveries.abandonPending(id, { error: RECEIVER_DISABLED_ERROR, now }, tx);
  }

  /**
   * The receiver URL, normalised, if the target policy allows it. With private targets
   * refused (`WEBHOOK_ALLOW_PRIVATE=false`) the host must resolve, and only to public
   * addresses (delivery asks DNS again at every attempt). With them allowed, a host name is
   * not resolved now (a receiver may be registered before its DNS exists), but an address
   * no receiver can have (unspecified, multicast, broadcast) is refused either way.
   * @throws WebhookEndpointError `webhook.invalid_url` or `webhook.private_target`.
   */
  private async checkTarget(raw: string): Promise<string> {
    const { allowPrivate } = this.config.webhooks;
    try {
      const url = checkTargetUrl(raw);
      const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
      if (!allowPrivate || isIP(host) !== 0) {
        await resolveTarget(url, {
          allowPrivate,
          ...(this.dns.lookup && { lookup: this.dns.lookup }),
        });
      }
      return url.href;
    } catch (err) {
      if (!(err instanceof WebhookTargetError)) throw err;
      throw new WebhookEndpointError(
        err.code === 'invalid_url' ? 'webhook.invalid_url' : 'webhook.private_target',
        { message: err.message },
      );
    }
  }
}

type Changeable = 'url' | 'events' | 'format' | 'enabled';

/** The fields of `patch` that differ from `current` (events compared as sets). */
function changedFields(
  current: WebhookEndpoint,
  patch: { url?: string; events?: readonly string[]; format?: WebhookFormat; enabled?: boolean },
): Changeable[] {
  const changes: Changeable[] = [];
  if (patch.url !== undefined && patch.url !== current.url) changes.push('url');
  if (patch.events !== undefined && !sameSet(patch.events, current.events)) changes.push('events');
  if (patch.format !== undefined && patch.format !== current.format) changes.push('format');
  if (patch.enabled !== undefined && patch.enabled !== current.enabled) changes.push('enabled');
  return changes;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((x) => set.has(x));
}
