import { Injectable } from '@nestjs/common';
import { ProviderVouchedAccounts } from '@identity/accounts';
import { EventBus, type LoginFailureReason } from '@identity/audit';
import { Database, isUniqueViolation, type Tx } from '@identity/database';
import { assertUnreachable, Clock } from '@identity/kernel';
import { IpHasher } from '@identity/sessions';
import { SignInCore } from '@identity/signin';
import {
  canonicalEmail,
  isValidEmail,
  normalizeEmail,
  USER_EMAIL_CONSTRAINT,
  UserRepository,
} from '@identity/users';
import {
  FederatedCallbackHandler,
  type FederatedCallbackInput,
  type FederatedFailureInput,
} from './federated-callback.handler';
import { FederatedIdentityRepository } from './federated-identity.repository';
import {
  IDENTITY_PROVIDER_PER_USER_CONSTRAINT,
  IDENTITY_SUBJECT_CONSTRAINT,
} from './federated-identities.table';
import { FederationCodeRepository } from './federation-code.repository';
import type { FederationCodeKind } from './federation-codes.table';
import { FederationError, type FederationErrorCode } from './federation.errors';
import type { FederatedProfile } from './federation.types';

/** Lifetime of the `?code=` the callback hands the browser (API.md: one-time, 60 s). */
export const EXCHANGE_CODE_TTL_SECONDS = 60;

/**
 * The federated sign-in rules (API.md "Federated sign-in"), behind the provider layer's port.
 * The callback's verified profile becomes a one-time code bound to what it completes:
 * - a known identity (provider, subject) signs its account in: the email plays no part;
 * - an unknown identity whose vouched-for email is new creates an account (verified, no
 *   password, the default role) with the identity linked, and signs it in;
 * - an unknown identity whose email belongs to a *verified* account is never merged: the code
 *   answers `account_link_required`, and only a session of that account can link it;
 * - an unknown identity whose email belongs to an *unverified* account takes it over (whoever
 *   registered it never proved the address; the provider just did): password, sessions and
 *   pending links are voided, the email is verified, the identity linked;
 * - an email the provider does not vouch for is refused (`oidc_email_unverified`);
 * - intent `link` (started from a session) offers the identity to that session's account.
 * The sign-in itself happens at the exchange (`FederatedExchange`), through the sign-in core.
 */
@Injectable()
export class FederatedSignInHandler extends FederatedCallbackHandler {
  constructor(
    private readonly db: Database,
    private readonly identities: FederatedIdentityRepository,
    private readonly exchangeCodes: FederationCodeRepository,
    private readonly users: UserRepository,
    private readonly accounts: ProviderVouchedAccounts,
    private readonly core: SignInCore,
    private readonly ipHasher: IpHasher,
    private readonly events: EventBus,
    private readonly clock: Clock,
  ) {
    super();
  }

  /**
   * @throws FederationError `federation.email_unverified` when the provider does not vouch
   *   for an email; `federation.failed` (`provider_response_invalid`) for an address API.md
   *   refuses, (`link_without_account`) for a link attempt without its account.
   */
  async handle(input: FederatedCallbackInput): Promise<{ code: string }> {
    const { profile } = input;
    const ipHash = this.ipHasher.hash(input.client.ip);
    const email = vouchedEmail(profile);
    if (!email.ok) throw await this.refused(profile, email.refusal, ipHash);
    if (input.intent === 'login') return { code: await this.resolve(profile, email.value, ipHash) };
    if (!input.accountId)
      throw await this.refused(profile, FederationError.failed('link_without_account'), ipHash);
    // Started from a session: the identity is offered to that account and no other.
    return {
      code: await this.issue(undefined, 'link_offer', input.accountId, profile, email.value),
    };
  }

  /** Records a round trip that failed before a profile existed as `auth.login.failed`. */
  override async failed(input: FederatedFailureInput): Promise<void> {
    await this.record(input, this.ipHasher.hash(input.client.ip));
  }

  /**
   * What the profile means, decided and recorded in one transaction. Two first sign-ins of one
   * new identity (or of one new address) can race: the loser's unique violation rolls it back,
   * and deciding once more finds what the winner committed.
   */
  private async resolve(profile: FederatedProfile, email: string, ipHash: string): Promise<string> {
    try {
      return await this.db.withTransaction((tx) => this.resolveIn(tx, profile, email, ipHash));
    } catch (err) {
      if (!isRaceLost(err)) throw err;
      return this.db.withTransaction((tx) => this.resolveIn(tx, profile, email, ipHash));
    }
  }

  private async resolveIn(
    tx: Tx,
    profile: FederatedProfile,
    email: string,
    ipHash: string,
  ): Promise<string> {
    const known = await this.identities.findBySubject(profile.provider, profile.subject, tx);
    if (known) return this.issue(tx, 'sign_in', known.userId, profile, known.email);
    const owner = await this.users.findByEmail(normalizeEmail(email), tx);
    if (!owner) {
      const user = await this.accounts.register(tx, { email, name: profile.name, ipHash });
      await this.link(tx, { userId: user.id, profile, email, ipHash });
      return this.issue(tx, 'sign_in', user.id, profile, email);
    }
    if (
      !owner.emailVerifiedAt &&
      (await this.accounts.takeOverUnverified(tx, { userId: owner.id, ipHash }))
    ) {
      await this.link(tx, { userId: owner.id, profile, email, ipHash });
      return this.issue(tx, 'sign_in', owner.id, profile, email);
    }
    // A verified account owns the address: its owner decides, from a session of it.
    return this.issue(tx, 'link_offer', owner.id, profile, email);
  }

  private async link(
    tx: Tx,
    input: { userId: string; profile: FederatedProfile; email: string; ipHash: string },
  ): Promise<void> {
    const { userId, profile, ipHash } = input;
    await this.identities.insert(
      {
        provider: profile.provider,
        subject: profile.subject,
        userId,
        email: input.email,
        linkedAt: this.clock.now(),
      },
      tx,
    );
    await this.events.emit(tx, 'identity.linked', { userId, provider: profile.provider, ipHash });
  }

  private issue(
    tx: Tx | undefined,
    kind: FederationCodeKind,
    userId: string,
    profile: FederatedProfile,
    email: string | null,
  ): Promise<string> {
    return this.exchangeCodes.issue(
      {
        kind,
        userId,
        provider: profile.provider,
        subject: profile.subject,
        email,
        ttlSeconds: EXCHANGE_CODE_TTL_SECONDS,
      },
      tx,
    );
  }

  /** Records the refusal of a verified profile; returns it, to be thrown. */
  private async refused(
    profile: FederatedProfile,
    refusal: FederationError,
    ipHash: string,
  ): Promise<FederationError> {
    await this.record(
      { provider: profile.provider, code: refusal.code, reason: refusal.reason },
      ipHash,
    );
    return refusal;
  }

  private record(
    failure: { provider: string; code: FederationErrorCode; reason: string },
    ipHash: string,
  ): Promise<void> {
    return this.core.recordRefusal(failureReasonOf(failure.code), {
      ipHash,
      method: 'federated',
      provider: failure.provider,
      detail: failure.reason,
    });
  }
}

/**
 * The address the provider vouches for, in its stored form; or the refusal: none or not
 * verified (`federation.email_unverified`), or one API.md would refuse (`federation.failed`,
 * `provider_response_invalid`).
 */
function vouchedEmail(
  profile: FederatedProfile,
): { ok: true; value: string } | { ok: false; refusal: FederationError } {
  if (!profile.emailVerified || !profile.email)
    return {
      ok: false,
      refusal: new FederationError('federation.email_unverified', 'email_unverified'),
    };
  if (!isValidEmail(profile.email))
    return { ok: false, refusal: FederationError.failed('provider_response_invalid') };
  return { ok: true, value: canonicalEmail(profile.email) };
}

function isRaceLost(err: unknown): boolean {
  return (
    isUniqueViolation(err, IDENTITY_SUBJECT_CONSTRAINT) ||
    isUniqueViolation(err, IDENTITY_PROVIDER_PER_USER_CONSTRAINT) ||
    isUniqueViolation(err, USER_EMAIL_CONSTRAINT)
  );
}

function failureReasonOf(code: FederationErrorCode): LoginFailureReason {
  switch (code) {
    case 'federation.denied':
      return 'oidc_denied';
    case 'federation.email_unverified':
      return 'oidc_email_unverified';
    case 'federation.failed':
    case 'federation.provider_not_found':
    case 'federation.redirect_not_allowed':
      return 'oidc_failed';
    default:
      return assertUnreachable(code, 'federation error code');
  }
}
