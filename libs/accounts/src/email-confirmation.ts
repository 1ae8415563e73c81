import { Injectable } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { EventBus } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import type { Tx } from '@identity/database';
import { normalizeEmail, UserRepository } from '@identity/users';
import { Clock } from '@identity/kernel';

/** The role `BOOTSTRAP_ADMIN_EMAIL` receives. */
const ADMIN_ROLE = 'admin';

/**
 * What follows once a user has proven their mailbox, whichever way they proved it (the
 * verification link, or a password reset, which reaches the same mailbox).
 */
@Injectable()
export class EmailConfirmation {
  constructor(
    private readonly users: UserRepository,
    private readonly access: AccessService,
    private readonly events: EventBus,
    private readonly clock: Clock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Marks the email verified in `tx`'s transaction. Only the first time: emits
   * `user.email_verified` and, for `BOOTSTRAP_ADMIN_EMAIL`, grants `admin`.
   */
  async confirm(tx: Tx, input: { userId: string; ipHash?: string }): Promise<void> {
    const { userId, ipHash } = input;
    if (!(await this.users.markVerified(userId, this.clock.now(), tx))) return;
    await this.events.emit(tx, 'user.email_verified', { userId, ipHash });
    await this.grantBootstrapAdmin(tx, userId, ipHash);
  }

  /**
   * The first admin: on a fresh install nobody can grant roles yet, so the configured address
   * becomes admin once its owner has proven the mailbox (never on registration alone, or
   * whoever registered the address first would be admin). Only on the first verification, so
   * an admin role taken away later is not handed back by a second verification link.
   */
  private async grantBootstrapAdmin(
    tx: Tx,
    userId: string,
    ipHash: string | undefined,
  ): Promise<void> {
    const bootstrapEmail = this.config.admin.bootstrapEmail;
    if (!bootstrapEmail) return;
    const user = await this.users.findById(userId, tx);
    if (!user || user.emailNormalized !== normalizeEmail(bootstrapEmail)) return;
    await this.access.grantRole(userId, ADMIN_ROLE, tx);
    const { roles } = await this.access.grantsOf(userId, tx);
    await this.events.emit(tx, 'user.roles_changed', { userId, roles, ipHash });
  }
}
