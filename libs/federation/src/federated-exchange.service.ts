import { Injectable } from '@nestjs/common';
import { Clock } from '@identity/kernel';
import { type ClientContext, IpHasher } from '@identity/sessions';
import { SignInCore, type SignInResult } from '@identity/signin';
import { UserRepository } from '@identity/users';
import { FederatedIdentityError } from './federated-identity.errors';
import { FederatedIdentityRepository } from './federated-identity.repository';
import { FederationCodeRepository } from './federation-code.repository';

/** How long the link token of `account_link_required` lives: long enough to sign in with a password and a second factor. */
export const LINK_TOKEN_TTL_SECONDS = 600;

/** `amr` of a federated first factor (API.md). */
export const FEDERATED_AMR = 'fed';

/**
 * What an exchange code turns into: a sign-in (a session, or the MFA step), or, for an
 * identity whose email belongs to a verified account (or one offered from a session), the
 * link token that `POST /auth/oidc/link` spends from a session of that account.
 */
export type ExchangeResult =
  | SignInResult
  | { kind: 'link_required'; linkToken: string; provider: string; email: string | null };

/** `POST /auth/oidc/exchange`: the browser's one-time code for what the callback decided. */
@Injectable()
export class FederatedExchange {
  constructor(
    private readonly codes: FederationCodeRepository,
    private readonly identities: FederatedIdentityRepository,
    private readonly users: UserRepository,
    private readonly core: SignInCore,
    private readonly ipHasher: IpHasher,
    private readonly clock: Clock,
  ) {}

  /**
   * Spends the code (once: a replay, a guess or a code older than 60 s gets nothing) and
   * finishes what it was bound to. A sign-in goes through the sign-in core like a password
   * sign-in: a locked account is refused, an account with a second factor gets the MFA step;
   * `amr` is `["fed"]`, the method `federated`.
   * @throws FederatedIdentityError `federated_identity.code_invalid` (recorded as
   *   `auth.login.failed`, reason `oidc_code_invalid`).
   * @throws SignInError `signin.account_locked`.
   */
  async exchange(code: string, client: ClientContext): Promise<ExchangeResult> {
    const ipHash = this.ipHasher.hash(client.ip);
    const grant = await this.codes.take(code, { kinds: ['sign_in', 'link_offer'] });
    if (!grant) return this.refuse(ipHash);
    if (grant.kind === 'link_offer') {
      const linkToken = await this.codes.issue({
        kind: 'link',
        userId: grant.userId,
        provider: grant.provider,
        subject: grant.subject,
        email: grant.email,
        ttlSeconds: LINK_TOKEN_TTL_SECONDS,
      });
      return { kind: 'link_required', linkToken, provider: grant.provider, email: grant.email };
    }
    const [user, identity] = await Promise.all([
      this.users.findSignInCandidateById(grant.userId),
      this.identities.findBySubject(grant.provider, grant.subject),
    ]);
    // Unlinked (or the account deleted) in the seconds since the callback: nothing to finish.
    if (!user || identity?.userId !== user.id)
      return this.refuse(ipHash, { userId: user?.id, provider: grant.provider });
    return this.core.afterFirstFactor({
      user,
      userId: user.id,
      amr: [FEDERATED_AMR],
      method: 'federated',
      client,
      ipHash,
      alongside: (tx) => this.identities.touch(identity.id, this.clock.now(), tx),
    });
  }

  private async refuse(
    ipHash: string,
    context: { userId?: string; provider?: string } = {},
  ): Promise<never> {
    await this.core.recordRefusal('oidc_code_invalid', { ...context, ipHash, method: 'federated' });
    throw new FederatedIdentityError('federated_identity.code_invalid');
  }
}
