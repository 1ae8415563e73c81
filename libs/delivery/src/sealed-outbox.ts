import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { SecretBox } from '@identity/crypto';
import { Database, type Tx } from '@identity/database';
import { Clock } from '@identity/kernel';
import { DeliveryError } from './delivery.errors';
import type { OutboxKind, OutboxPayload } from './outbox-message';
import { OutboxRepository } from './outbox.repository';
import { OutboxWorker } from './outbox.worker';

/**
 * Outbox rows whose content is sealed with the key-encryption key: for channels whose
 * messages hold what nobody reading the database may see (addresses, password hashes, live
 * links). Bound to their kind (the aad), so a payload copied to another kind does not open.
 */
@Injectable()
export class SealedOutbox {
  private readonly box: SecretBox;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly worker: OutboxWorker,
    private readonly db: Database,
    private readonly clock: Clock,
    @InjectConfig() config: AppConfig,
  ) {
    this.box = new SecretBox(config.secrets.keyEncryptionKey);
  }

  /**
   * Stores one sealed message of `kind`, in `tx` (or on its own), and nudges the worker once
   * it has committed.
   */
  async queue(kind: OutboxKind, message: unknown, tx?: Tx): Promise<void> {
    const sealed = this.box.encrypt(JSON.stringify(message), aad(kind));
    await this.outbox.enqueue({ kind, payload: { sealed }, now: this.clock.now() }, tx);
    this.db.afterCommit(tx, () => this.worker.nudge());
  }

  /**
   * The message a payload of `kind` holds.
   * @throws DeliveryError `delivery.payload_unreadable` when the payload is not sealed (no
   *   retry can fix it).
   * @throws Error when the box does not open: retried, because the likely cause is one
   *   instance with a wrong KEY_ENCRYPTION_KEY, and another instance may open it.
   */
  open(kind: OutboxKind, payload: OutboxPayload): unknown {
    const { sealed } = payload;
    if (typeof sealed !== 'string') {
      throw new DeliveryError('delivery.payload_unreadable', {
        message: `${kind} payload is not sealed`,
      });
    }
    try {
      return JSON.parse(this.box.decryptString(sealed, aad(kind)));
    } catch {
      throw new Error(`${kind} payload does not open with this key-encryption key`);
    }
  }
}

function aad(kind: OutboxKind): string {
  return `outbox:${kind}`;
}
