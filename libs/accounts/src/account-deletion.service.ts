import { Injectable } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { EventBus } from '@identity/audit';
import { EmailService } from '@identity/delivery';
import { type ClientContext, IpHasher, SessionService } from '@identity/sessions';
import { UserRepository } from '@identity/users';
import { AccountError } from './account.errors';
import { EmailChangeRepository } from './email-change.repository';
import { EmailVerificationRepository, PasswordResetRepository } from './one-time-token.repository';
import { type ReauthProof, Reauthentication } from './reauthentication';

/** What `DELETE /auth/me` carries, with the caller's identity from its access token. */
export interface DeleteAccountInput {
  userId: string;
  proof: ReauthProof;
}

/**
 * The owner deletes their account. What deletion means here:
 * - the `users` row stays as a tombstone: status `deleted`, the address replaced by a
 *   non-routable `deleted-<id>@deleted.invalid`, no name, no password, not verified; no read
 *   finds it any more, so the address is free for a new account and the id never comes back;
 * - every session is revoked (reason `account_deleted`: connected sockets are told at once);
 * - every emailed link (verification, reset, email change) is used up;
 * - `user.deleted` is emitted in the same transaction, and the other contexts erase what they
 *   hold on it: the second factor (TOTP secret, recovery codes), linked provider identities
 *   and their codes; the access cache drops the account on every instance;
 * - the audit trail is kept as it is: it holds ids and keyed IP hashes only, never an
 *   address or a name, and it is append-only;
 * - the address the account had gets one last mail saying it was deleted (sealed in the
 *   outbox like every mail, and redacted once sent).
 * The last unlocked admin cannot delete themself (`access.last_admin`): nobody could
 * administer the platform afterwards.
 */
@Injectable()
export class AccountDeletionService {
  constructor(
    private readonly users: UserRepository,
    private readonly reauth: Reauthentication,
    private readonly sessions: SessionService,
    private readonly access: AccessService,
    private readonly verifications: EmailVerificationRepository,
    private readonly resets: PasswordResetRepository,
    private readonly changes: EmailChangeRepository,
    private readonly mail: EmailService,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
  ) {}

  /**
   * Re-authenticates the owner, then deletes the account in one transaction (see the class).
   * @throws AccountError `account.invalid_credentials` for a wrong proof, `account.not_found`
   *   when the account is gone.
   * @throws AccessError `access.last_admin` when it is the last unlocked admin.
   * @throws ThrottledError `protection.too_many_attempts` past the account's limits.
   */
  async delete(input: DeleteAccountInput, client: ClientContext): Promise<void> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new AccountError('account.not_found');
    const ipHash = this.ipHasher.hash(client.ip);
    await this.reauth.run({ user, proof: input.proof, client }, async (tx) => {
      // Emailed links first, then the account row: the order a verification or a reset
      // takes its locks in, so one used at this very moment waits or wins, never deadlocks.
      await this.verifications.invalidateAll(user.id, tx);
      await this.resets.invalidateAll(user.id, tx);
      await this.changes.invalidateAll(user.id, tx);
      if (!(await this.users.erasePersonalData(user.id, tx))) {
        throw new AccountError('account.not_found');
      }
      await this.access.assertAnAdminRemains(tx, { leaving: user.id });
      await this.sessions.revokeAll(tx, { userId: user.id, reason: 'account_deleted', ipHash });
      await this.mail.queue(tx, {
        template: 'account_deleted',
        to: user.email,
        vars: { name: user.name ?? undefined },
      });
      await this.events.emit(tx, 'user.deleted', { userId: user.id, ipHash });
    });
    await this.access.propagated();
  }
}
