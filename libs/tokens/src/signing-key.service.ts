import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { KV_STORE, type KvStore } from '@identity/kv';
import type { PublicSigningJwk, StoredSigningKey, SigningKeyStatus } from './signing-keys.table';
import { generateSigningKey, openPrivateKey, type NewSigningKey } from './signing-key.material';
import { SigningKeyRepository } from './signing-key.repository';
import { KeyRing, type SigningKey, type VerificationKey } from './signing-key.ring';
import { TokensError } from './token.errors';
import { Clock } from '@identity/kernel';

/** Leeway on `exp`/`nbf` (API.md: at most 5 s). A retired key verifies this long past the last token's `exp`. */
export const CLOCK_LEEWAY_SECONDS = 5;
/** Announces a committed change of the key set to every instance. */
const KEYS_CHANGED_CHANNEL = 'keys.changed';
/** Promotion tick and safety-net refresh (pub/sub is fire-and-forget: a message can be lost). */
const TICK_INTERVAL_MS = 60_000;

/** Why the signing key changed: an emergency (admin) or the schedule. */
export type RotationReason = 'manual' | 'scheduled';

/** The public key set, as served at `/.well-known/jwks.json`. */
export interface JsonWebKeySet {
  keys: PublicSigningJwk[];
}

/**
 * The signing key set: stored in Postgres (private parts sealed under the key-encryption key),
 * shared by every instance, cached in memory. Every change runs under one advisory lock in one
 * transaction, and is announced on the kv channel `keys.changed` once committed.
 */
@Injectable()
export class SigningKeyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('SigningKeyService');
  private readonly box: SecretBox;
  private ring = KeyRing.EMPTY;
  private refreshChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private unsubscribe: (() => Promise<void>) | undefined;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly db: Database,
    private readonly keys: SigningKeyRepository,
    private readonly events: EventBus,
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly clock: Clock,
  ) {
    this.box = new SecretBox(config.secrets.keyEncryptionKey);
  }

  /**
   * Loads the key set, creates the first key if there is none, runs one maintenance tick, then
   * ticks every 60 s. Subscribes first, so no change committed meanwhile goes unnoticed.
   * @throws TokensError `tokens.signing_key_unreadable` when the active key does not open.
   */
  async onModuleInit(): Promise<void> {
    await this.subscribe();
    await this.refresh();
    await this.ensureActiveKey();
    await this.maintain();
    this.timer = setInterval(() => void this.tick(), TICK_INTERVAL_MS);
    // Housekeeping must never keep the process (or a test run) alive.
    this.timer.unref();
  }

  /** Stops the tick and the subscription (before the kv store closes). */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.unsubscribe?.().catch((err: unknown) => this.warn('unsubscribe failed', err));
    this.unsubscribe = undefined;
  }

  /**
   * The key that signs now.
   * @throws TokensError `tokens.no_signing_key` before the module has initialised.
   */
  signingKey(): SigningKey {
    const signer = this.ring.signer;
    if (!signer)
      throw new TokensError('tokens.no_signing_key', { message: 'no active signing key loaded' });
    return signer;
  }

  /** The key `kid` if it may verify now (pending, active, or retired within `verify_until`). */
  verificationKey(kid: string): VerificationKey | undefined {
    return this.ring.verificationKey(kid, this.clock.nowMs());
  }

  /**
   * Every key that may still verify a live token or will soon sign, public members only.
   * Served from memory: cheap enough to call per request.
   */
  jwks(): JsonWebKeySet {
    return { keys: this.ring.usable(this.clock.nowMs()).map((key) => ({ ...key.jwk })) };
  }

  /**
   * `manual` (emergency): a new key signs at once; the old one retires and verifies until
   * its last token has expired; keys published ahead are withdrawn (they may share the fate
   * of the compromised one). `scheduled`: publishes the next key now, to sign after
   * `publishAhead` (returns the already-published one if there is one); the maintenance tick
   * promotes it. Returns the new key's kid.
   * @throws TokensError `tokens.signing_key_unreadable` when the new key does not open.
   */
  async rotate(reason: RotationReason): Promise<string> {
    return reason === 'manual' ? this.rotateNow() : this.publishNext();
  }

  /**
   * One maintenance tick (run every 60 s and at boot; public for operators and tests):
   * promotes a pending key whose time has come, publishes the next key when the active one
   * nears `rotationInterval`, and refreshes the cache from Postgres.
   */
  async maintain(): Promise<void> {
    const nowMs = this.clock.nowMs();
    if (this.ring.pendingKeys().some((key) => key.activatesAt.getTime() <= nowMs)) {
      await this.promoteDue();
    }
    if (this.isRotationDue(nowMs)) await this.publishNext();
    await this.refresh();
  }

  /**
   * Reloads the key set from Postgres. Calls run one after another, so the newest read is
   * always the one applied last.
   */
  refresh(): Promise<void> {
    const run = this.refreshChain.then(() => this.reload());
    this.refreshChain = run.catch(() => undefined);
    return run;
  }

  private async reload(): Promise<void> {
    const rows = await this.keys.listUsable(this.clock.now());
    this.ring = await KeyRing.build(rows, this.ring, (row) => openPrivateKey(row, this.box));
  }

  /** First boot. Two instances booting at once: the lock makes the second see the first's key. */
  private async ensureActiveKey(): Promise<void> {
    if (this.ring.signer) return;
    // Generated before the lock, so the lock is held for two statements, not a key generation.
    const key = await generateSigningKey(this.config.jwt.alg, this.box);
    const created = await this.db.withTransaction(async (tx) => {
      await this.keys.lockKeySet(tx);
      if (await this.keys.findActive(tx)) return false;
      const now = this.clock.now();
      await this.keys.insert(toRow(key, 'active', now, now), tx);
      await this.events.emit(tx, 'key.rotated', { kid: key.kid, reason: 'initial' });
      return true;
    });
    await this.changed(created);
  }

  private async rotateNow(): Promise<string> {
    const key = await generateSigningKey(this.config.jwt.alg, this.box);
    await this.db.withTransaction(async (tx) => {
      await this.keys.lockKeySet(tx);
      const now = this.clock.now();
      const previous = await this.retireActive(now, tx);
      await this.keys.withdrawPending(now, tx);
      await this.keys.insert(toRow(key, 'active', now, now), tx);
      await this.events.emit(tx, 'key.rotated', {
        kid: key.kid,
        previousKid: previous,
        reason: 'manual',
      });
    });
    await this.changed(true);
    return key.kid;
  }

  private async publishNext(): Promise<string> {
    const key = await generateSigningKey(this.config.jwt.alg, this.box);
    const kid = await this.db.withTransaction(async (tx) => {
      await this.keys.lockKeySet(tx);
      // Another instance may have published one since our cache was read: keep a single one.
      const pending = await this.keys.findPending(tx);
      if (pending) return pending.kid;
      const now = this.clock.now();
      const activatesAt = addSeconds(now, this.config.jwt.publishAhead);
      await this.keys.insert(toRow(key, 'pending', now, activatesAt), tx);
      return key.kid;
    });
    await this.changed(kid === key.kid);
    return kid;
  }

  /** The event is emitted here, when the signing key actually changes, not at publication. */
  private async promoteDue(): Promise<void> {
    const promoted = await this.db.withTransaction(async (tx) => {
      await this.keys.lockKeySet(tx);
      const now = this.clock.now();
      const due = await this.keys.findDuePending(now, tx);
      if (!due) return false;
      const previous = await this.retireActive(now, tx);
      await this.keys.activate(due.kid, tx);
      await this.events.emit(tx, 'key.rotated', {
        kid: due.kid,
        previousKid: previous,
        reason: 'scheduled',
      });
      return true;
    });
    await this.changed(promoted);
  }

  /** Retires the active key, if any, so it verifies until its last token expires. */
  private async retireActive(now: Date, tx: Tx): Promise<string | undefined> {
    const active = await this.keys.findActive(tx);
    if (!active) return undefined;
    const verifyUntil = addSeconds(now, this.config.jwt.accessTtl + CLOCK_LEEWAY_SECONDS);
    await this.keys.retire(active.kid, { retiredAt: now, verifyUntil }, tx);
    return active.kid;
  }

  private isRotationDue(nowMs: number): boolean {
    const active = this.ring.activeKey();
    if (!active || this.ring.pendingKeys().length > 0) return false;
    const { rotationInterval, publishAhead } = this.config.jwt;
    const publishAtMs = active.activatesAt.getTime() + (rotationInterval - publishAhead) * 1000;
    return nowMs >= publishAtMs;
  }

  /** After a commit: refresh this instance now (so the caller sees its change), then tell the others. */
  private async changed(announce: boolean): Promise<void> {
    await this.refresh();
    if (!announce) return;
    // A lost announcement only delays other instances until their next tick.
    await this.kv
      .publish(KEYS_CHANGED_CHANNEL, String(this.clock.nowMs()))
      .catch((err: unknown) => this.warn(`could not publish on ${KEYS_CHANGED_CHANNEL}`, err));
  }

  private async subscribe(): Promise<void> {
    try {
      this.unsubscribe = await this.kv.subscribe(KEYS_CHANGED_CHANNEL, () => {
        this.refresh().catch((err: unknown) => this.warn('refresh after announcement failed', err));
      });
    } catch (err) {
      // Boot anyway: the periodic refresh still converges, only more slowly.
      this.warn(`could not subscribe to ${KEYS_CHANGED_CHANNEL}`, err);
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking) return;
    this.ticking = true;
    try {
      await this.maintain();
    } catch (err) {
      this.warn('key maintenance failed; retrying next tick', err);
    } finally {
      this.ticking = false;
    }
  }

  private warn(message: string, err: unknown): void {
    this.logger.warn(`${message}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function toRow(
  key: NewSigningKey,
  status: SigningKeyStatus,
  createdAt: Date,
  activatesAt: Date,
): StoredSigningKey {
  return { ...key, status, createdAt, activatesAt, retiredAt: null, verifyUntil: null };
}

function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + seconds * 1000);
}
