import { Injectable } from '@nestjs/common';
import { EventBus } from '@identity/audit';
import { Database, isUniqueViolation } from '@identity/database';
import { Clock } from '@identity/kernel';
import { type ClientContext, IpHasher } from '@identity/sessions';
import { UserRepository } from '@identity/users';
import type { FederatedIdentity } from './federated-identities.table';
import {
  IDENTITY_PROVIDER_PER_USER_CONSTRAINT,
  IDENTITY_SUBJECT_CONSTRAINT,
} from './federated-identities.table';
import { FederatedIdentityError } from './federated-identity.errors';
import { FederatedIdentityRepository } from './federated-identity.repository';
import { FederationCodeRepository } from './federation-code.repository';

/** The signed-in account that links or unlinks, from its access token. */
export interface AccountSession {
  userId: string;
  /** The session's `amr`: whether it passed a second factor. */
  amr: readonly string[];
  client: ClientContext;
}

const SECOND_FACTORS = new Set(['otp', 'rec']);

/**
 * The identities linked to an account, managed by its owner: linking one (only with a link
 * token bound to this account, from a session that passed the account's second factor, if it
 * has one), listing them, unlinking one (never the last way to sign in).
 */
@Injectable()
export class IdentityLinks {
  constructor(
    private readonly db: Database,
    private readonly identities: FederatedIdentityRepository,
    private readonly codes: FederationCodeRepository,
    private readonly users: UserRepository,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
    private readonly clock: Clock,
  ) {}

  /**
   * Links the identity of `linkToken` to the session's account and emits `identity.linked`.
   * Idempotent for an identity already linked to this very account.
   * @throws FederatedIdentityError `federated_identity.mfa_required` (checked before the token
   *   is spent), `federated_identity.link_token_invalid` (unknown, used, expired, or bound to
   *   another account), `federated_identity.identity_in_use` (the identity belongs to another
   *   account, or this one already has an identity of that provider).
   */
  async link(session: AccountSession, linkToken: string): Promise<FederatedIdentity> {
    const user = await this.users.findSignInCandidateById(session.userId);
    if (!user) throw new FederatedIdentityError('federated_identity.link_token_invalid');
    if (user.mfaEnabled && !session.amr.some((m) => SECOND_FACTORS.has(m)))
      throw new FederatedIdentityError('federated_identity.mfa_required');
    const grant = await this.codes.take(linkToken, { kinds: ['link'], userId: user.id });
    if (!grant) throw new FederatedIdentityError('federated_identity.link_token_invalid');
    const existing = await this.identities.findBySubject(grant.provider, grant.subject);
    if (existing?.userId === user.id) return existing;
    if (existing) throw new FederatedIdentityError('federated_identity.identity_in_use');
    try {
      return await this.db.withTransaction(async (tx) => {
        const identity = await this.identities.insert(
          {
            provider: grant.provider,
            subject: grant.subject,
            userId: user.id,
            email: grant.email,
            linkedAt: this.clock.now(),
          },
          tx,
        );
        await this.events.emit(tx, 'identity.linked', {
          userId: user.id,
          provider: identity.provider,
          ipHash: this.ipHasher.hash(session.client.ip),
        });
        return identity;
      });
    } catch (err) {
      if (
        isUniqueViolation(err, IDENTITY_SUBJECT_CONSTRAINT) ||
        isUniqueViolation(err, IDENTITY_PROVIDER_PER_USER_CONSTRAINT)
      )
        throw new FederatedIdentityError('federated_identity.identity_in_use');
      throw err;
    }
  }

  /** The account's identities, oldest link first. */
  list(userId: string): Promise<FederatedIdentity[]> {
    return this.identities.listByUser(userId);
  }

  /**
   * Removes the account's identity of `provider` and emits `identity.unlinked`. Refused when
   * it is the account's last way to sign in (no password and no other identity): the owner
   * would be locked out. Forgot-password can give a federated-only account a password first.
   * @throws FederatedIdentityError `federated_identity.identity_not_found`,
   *   `federated_identity.last_sign_in_method`.
   */
  async unlink(session: AccountSession, provider: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      const linked = await this.identities.lockByUser(session.userId, tx);
      if (!linked.some((i) => i.provider === provider))
        throw new FederatedIdentityError('federated_identity.identity_not_found');
      const user = await this.users.findById(session.userId, tx);
      if (!user?.password && linked.length <= 1)
        throw new FederatedIdentityError('federated_identity.last_sign_in_method');
      await this.identities.deleteByUserAndProvider(session.userId, provider, tx);
      await this.events.emit(tx, 'identity.unlinked', {
        userId: session.userId,
        provider,
        ipHash: this.ipHasher.hash(session.client.ip),
      });
    });
  }
}
