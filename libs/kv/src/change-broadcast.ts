import { randomUUID } from 'node:crypto';
import type { KvStore } from './kv.port';

/** How long a writer waits for its own announcement to come back (see `propagated`). */
const ECHO_TIMEOUT_MS = 1_000;

/**
 * Tells every instance sharing the kv store that something they cache has changed, and lets
 * the writer wait until they all know: Redis sends a message to every subscriber at once, so
 * once this instance has heard its own announcement back, every instance has it too. Pub/sub
 * is fire-and-forget: a lost message is logged and left to the caches' periodic re-reads.
 *
 * A message is `<nonce> <change>`; `onChange` receives the change, on every instance (the
 * writer included, when its echo arrives: changes must be safe to apply twice).
 */
export class ChangeBroadcast {
  private unsubscribe: (() => Promise<void>) | undefined;
  /** Announcements of this instance not yet heard back, by nonce. */
  private readonly echoes = new Map<string, () => void>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly kv: KvStore,
    private readonly channel: string,
    private readonly onChange: (change: string) => void,
    private readonly warn: (message: string, err: unknown) => void,
  ) {}

  /** Subscribes; a failure is logged (the caches then rely on their periodic re-reads). */
  async start(): Promise<void> {
    try {
      this.unsubscribe = await this.kv.subscribe(this.channel, (message) =>
        this.onMessage(message),
      );
    } catch (err) {
      this.warn(`could not subscribe to ${this.channel}`, err);
    }
  }

  /** Releases every waiting writer and unsubscribes. */
  async stop(): Promise<void> {
    for (const done of [...this.echoes.values()]) done();
    await this.unsubscribe?.().catch((err: unknown) => this.warn('unsubscribe failed', err));
    this.unsubscribe = undefined;
  }

  /**
   * Tells every instance (this one included, through its echo) about `change`. Apply the
   * change here first: the announcement is for the others.
   */
  announce(change: string): void {
    const nonce = randomUUID();
    if (this.unsubscribe) this.awaitEcho(nonce);
    this.kv.publish(this.channel, `${nonce} ${change}`).catch((err: unknown) => {
      this.warn(`could not publish on ${this.channel}`, err);
      this.echoes.get(nonce)?.();
    });
  }

  /**
   * Resolves once every change this instance announced so far has come back from the kv
   * store (at most about a second each). Never rejects: a lost announcement must not fail the
   * change, which has committed.
   */
  async propagated(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private awaitEcho(nonce: string): void {
    const echoed = new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.echoes.delete(nonce);
        resolve();
      };
      const timer = setTimeout(done, ECHO_TIMEOUT_MS);
      timer.unref();
      this.echoes.set(nonce, done);
    });
    this.inFlight.add(echoed);
    void echoed.then(() => this.inFlight.delete(echoed));
  }

  private onMessage(message: string): void {
    const space = message.indexOf(' ');
    if (space < 0) return;
    this.onChange(message.slice(space + 1));
    this.echoes.get(message.slice(0, space))?.();
  }
}
