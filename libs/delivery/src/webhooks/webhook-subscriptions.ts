import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { EventBus } from '@identity/audit';
import type { Tx } from '@identity/database';
import { ChangeBroadcast, KV_STORE, type KvStore } from '@identity/kv';
import { WebhookEndpointRepository } from './webhook-endpoint.repository';

/** Announces a committed change of the receivers to every instance. */
export const WEBHOOKS_CHANGED_CHANNEL = 'webhooks.changed';
/** Events after which the receiver list is stale. */
const CHANGE_EVENTS = ['webhook.created', 'webhook.updated', 'webhook.deleted'] as const;
/** Safety net for a lost announcement (pub/sub is fire-and-forget). */
const REFRESH_MS = 30_000;

/** The event types each enabled receiver wants (`*` = all). */
type Subscriptions = ReadonlySet<string>;

/**
 * Which event types some enabled receiver subscribes to, from memory: the fan-out asks it for
 * every event, and most events (every sign-in) have no receiver, so the answer must cost no
 * round trip. It only decides whether the fan-out statement runs at all; that statement reads
 * the receivers themselves (enabled, subscribed, format), so a stale "yes" costs one empty
 * statement and never a wrong delivery.
 *
 * A stale "no" would lose events, so: this instance drops the list as soon as a receiver
 * change commits and tells the others on {@link WEBHOOKS_CHANGED_CHANNEL}; the admin request
 * that made the change answers only once its announcement came back from the channel
 * ({@link propagated}: Redis sends a message to every subscriber at once, so every instance
 * has it by then); and the list is re-read every 30 s in case a message was lost. A load that
 * raced with an invalidation is used once but never kept.
 */
@Injectable()
export class WebhookSubscriptions implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('WebhookSubscriptions');
  private subscriptions: Subscriptions | undefined;
  private epoch = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly broadcast: ChangeBroadcast;

  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly events: EventBus,
    @Inject(KV_STORE) kv: KvStore,
  ) {
    this.broadcast = new ChangeBroadcast(
      kv,
      WEBHOOKS_CHANGED_CHANNEL,
      () => this.invalidate(),
      (message, err) => this.warn(message, err),
    );
  }

  /** Subscribes first (so no change committed meanwhile is missed), then loads the list. */
  async onModuleInit(): Promise<void> {
    // Boot even without the channel: the periodic refresh still converges, only more slowly.
    await this.broadcast.start();
    for (const type of CHANGE_EVENTS) this.events.onCommitted(type, () => this.announce());
    await this.load().catch((err: unknown) => this.warn('loading the receivers failed', err));
    this.timer = setInterval(() => this.refresh(), REFRESH_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.broadcast.stop();
  }

  /**
   * True when some enabled receiver subscribes to `type` (or to `*`). On a miss the list is
   * read inside `tx`, the caller's transaction, so waiting for it never needs a second
   * connection from the pool.
   */
  async anySubscribed(type: string, tx: Tx): Promise<boolean> {
    const subscriptions = this.subscriptions ?? (await this.load(tx));
    return subscriptions.has(type) || subscriptions.has('*');
  }

  /**
   * Resolves once every change this instance announced so far has come back from the kv
   * channel (so every instance has dropped its list), or after a second at most: a lost
   * announcement must not fail the change, which has committed. Never rejects.
   */
  propagated(): Promise<void> {
    return this.broadcast.propagated();
  }

  private async load(tx?: Tx): Promise<Subscriptions> {
    const epoch = this.epoch;
    const receivers = await this.endpoints.list(tx);
    const subscriptions = new Set(receivers.filter((r) => r.enabled).flatMap((r) => r.events));
    if (epoch === this.epoch) this.subscriptions = subscriptions;
    return subscriptions;
  }

  private refresh(): void {
    this.load().catch((err: unknown) => this.warn('refreshing the receivers failed', err));
  }

  /** Drops the list here at once, then tells the other instances. */
  private announce(): void {
    this.invalidate();
    this.broadcast.announce('receivers');
  }

  private invalidate(): void {
    this.epoch += 1;
    this.subscriptions = undefined;
  }

  private warn(message: string, err: unknown): void {
    this.logger.warn(`${message}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
