import { Inject, Injectable, Logger } from '@nestjs/common';
import { hashToken, randomToken, safeEqual } from '@identity/crypto';
import { KV_STORE, type KvStore } from '@identity/kv';
import type { ClientContext } from '@identity/sessions';
import { FederatedCallbackHandler } from './federated-callback.handler';
import { FederationError } from './federation.errors';
import type { FederationProvider } from './federation-provider';
import { FederationProviders } from './federation-providers';
import type { CallbackParams, FederatedProfile, SignInIntent } from './federation.types';
import { asFederationError } from './provider-http';
import { RedirectPolicy } from './redirect-policy';
import { AttemptSeal, type SignInAttempt } from './sign-in-attempt';

/** The start of a sign-in: off to the provider with a sealed state cookie, or back with an error. */
export type StartOutcome =
  | { ok: true; location: string; stateCookie: { value: string; maxAgeSeconds: number } }
  | { ok: false; redirectTo: string; error: FederationError };

/** The end of a sign-in: back to `redirectTo` with a one-time code, or with an error. */
export type CallbackOutcome =
  | { ok: true; redirectTo: string; code: string }
  | { ok: false; redirectTo: string; error: FederationError };

/**
 * The browser round trip of a federated sign-in, up to the verified profile that
 * {@link FederatedCallbackHandler} turns into a code. Every failure after the start is an
 * outcome (never an exception that would become a 500); the only errors thrown are the
 * ones the start route answers directly (unknown provider, return address not allowed).
 *
 * A state is good for one callback only: besides the cookie being cleared, its hash is
 * remembered in the kv store until it expires, so a callback URL replayed together with a
 * copy of the cookie fails too (on every instance, with Redis).
 */
@Injectable()
export class FederatedSignIn {
  private readonly logger = new Logger('FederatedSignIn');

  constructor(
    private readonly providers: FederationProviders,
    private readonly seal: AttemptSeal,
    private readonly redirects: RedirectPolicy,
    private readonly handler: FederatedCallbackHandler,
    @Inject(KV_STORE) private readonly kv: KvStore,
  ) {}

  /**
   * Prepares the redirect to the provider.
   * @throws FederationError `federation.provider_not_found`, `federation.redirect_not_allowed`.
   */
  async start(input: {
    provider: string;
    redirectTo?: string;
    intent: SignInIntent;
    /** With intent `link`: the signed-in account the identity is to be linked to. */
    accountId?: string;
    client: ClientContext;
  }): Promise<StartOutcome> {
    const provider = this.providers.get(input.provider);
    const redirectTo = this.redirects.resolve(input.redirectTo);
    const seed = { state: randomToken(32), nonce: randomToken(32) };
    try {
      const { url, verifier } = await provider.authorize(seed);
      const sealed = this.seal.seal({
        provider: provider.name,
        ...seed,
        verifier,
        redirectTo,
        intent: input.intent,
        ...(input.accountId ? { accountId: input.accountId } : {}),
      });
      return {
        ok: true,
        location: url,
        stateCookie: { value: sealed.value, maxAgeSeconds: sealed.maxAgeSeconds },
      };
    } catch (err) {
      const error = asFederationError(err, 'internal');
      await this.failed(provider.name, input.intent, error, input.client);
      return { ok: false, redirectTo, error };
    }
  }

  /**
   * Verifies the provider's answer against this browser's state cookie and hands the profile
   * to the {@link FederatedCallbackHandler}.
   * @throws FederationError `federation.provider_not_found`.
   */
  async finish(input: {
    provider: string;
    params: CallbackParams;
    stateCookie: string | undefined;
    client: ClientContext;
  }): Promise<CallbackOutcome> {
    const provider = this.providers.get(input.provider);
    let attempt: SignInAttempt | undefined;
    let profile: FederatedProfile;
    try {
      attempt = this.seal.open(input.stateCookie, provider.name);
      await this.spend(input.params, attempt);
      profile = await this.verified(provider, input.params, attempt);
    } catch (err) {
      const error = asFederationError(err, 'internal');
      await this.failed(provider.name, attempt?.intent, error, input.client);
      return { ok: false, redirectTo: attempt?.redirectTo ?? this.redirects.fallback, error };
    }
    try {
      const { code } = await this.handler.handle({
        profile,
        intent: attempt.intent,
        ...(attempt.accountId ? { accountId: attempt.accountId } : {}),
        client: input.client,
      });
      if (typeof code !== 'string' || code === '') throw new Error('the handler returned no code');
      return { ok: true, redirectTo: attempt.redirectTo, code };
    } catch (err) {
      const error =
        err instanceof FederationError ? err : FederationError.failed('handler_failed', err);
      if (!(err instanceof FederationError))
        this.logger.error(
          { provider: provider.name, err: describe(err) },
          'federated sign-in handler failed',
        );
      return { ok: false, redirectTo: attempt.redirectTo, error };
    }
  }

  /** The callback's `state` must be this browser's, and used once. */
  private async spend(params: CallbackParams, attempt: SignInAttempt): Promise<void> {
    const state = params.state;
    if (state === undefined || !safeEqual(state, attempt.state))
      throw FederationError.failed('state_mismatch');
    let first: boolean;
    try {
      first = await this.kv.setIfAbsent(
        `federation:state:${hashToken(attempt.state)}`,
        '1',
        this.seal.secondsLeft(attempt),
      );
    } catch (err) {
      throw FederationError.failed('state_store_unavailable', err);
    }
    if (!first) throw FederationError.failed('state_replayed');
  }

  private async verified(
    provider: FederationProvider,
    params: CallbackParams,
    attempt: SignInAttempt,
  ): Promise<FederatedProfile> {
    if (params.error !== undefined)
      throw params.error === 'access_denied'
        ? new FederationError('federation.denied', 'access_denied')
        : FederationError.failed('provider_error');
    if (!params.code) throw FederationError.failed('code_missing');
    return provider.verify(params, attempt);
  }

  private async failed(
    provider: string,
    intent: SignInIntent | undefined,
    error: FederationError,
    client: ClientContext,
  ): Promise<void> {
    this.logger.warn(
      { provider, code: error.code, reason: error.reason, cause: describe(error.cause) },
      'federated sign-in failed',
    );
    try {
      await this.handler.failed({
        provider,
        intent,
        code: error.code,
        reason: error.reason,
        client,
      });
    } catch (err) {
      this.logger.error({ provider, err: describe(err) }, 'federated failure hook failed');
    }
  }
}

/** An error's class and code, for logs: provider messages may echo what they were sent. */
function describe(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? `${err.name}:${code}` : err.name;
}
