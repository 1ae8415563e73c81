import { safeEqual } from '@identity/crypto';
import { FederationError, type FederationFailureReason } from './federation.errors';
import type { CallbackParams } from './federation.types';
import { asFederationError, ProviderTimeoutError } from './provider-http';
import type { SignInAttempt } from './sign-in-attempt';

/**
 * The request a passport strategy is run against. The strategies read only `query` (and
 * `body`); `flow` carries this attempt's state in and the PKCE verifier out, through
 * {@link AttemptStateStore}.
 */
export interface FlowRequest {
  query: CallbackParams;
  body?: undefined;
  flow: { state: string; verifier?: string; attempt?: SignInAttempt };
}

/** What a passport strategy offers to be run (passport-strategy's `Strategy`). */
export interface RunnableStrategy {
  authenticate(req: unknown, options?: unknown): unknown;
}

type Done = (err: Error | null, ok: unknown, info?: unknown) => void;

/**
 * passport-oauth2's `store` option, backed by the sealed state cookie instead of a server
 * session (this app keeps no express-session).
 *
 * - At the start, passport makes the PKCE verifier and asks the store for a `state`: the store
 *   hands back the attempt's random state and keeps the verifier on the request, from where
 *   the attempt (state, verifier, nonce, provider, redirect_to, intent) is sealed into the
 *   `__Host-oidc_state` cookie of this browser.
 * - At the callback, the attempt is opened from that cookie; the store compares the returned
 *   `state` with it in constant time and gives passport the verifier for the code exchange
 *   (`code_verifier`), or refuses (passport then fails with 403, mapped to `oidc_failed`).
 *
 * The store itself is stateless (one per strategy, shared by concurrent requests).
 */
export class AttemptStateStore {
  /** Arity 5 is how passport-oauth2 recognises a PKCE-aware store. */
  store(req: FlowRequest, verifier: string, _state: unknown, _meta: unknown, done: Done): void {
    req.flow.verifier = verifier;
    done(null, req.flow.state);
  }

  verify(req: FlowRequest, providedState: unknown, done: Done): void {
    const attempt = req.flow.attempt;
    if (!attempt || typeof providedState !== 'string' || !safeEqual(providedState, attempt.state)) {
      done(null, false, { message: 'state mismatch' });
      return;
    }
    done(null, attempt.verifier, {});
  }
}

/** How one run of a strategy ended (passport's five actions). */
export type StrategyOutcome =
  | { kind: 'redirect'; url: string }
  | { kind: 'success'; user: unknown }
  | { kind: 'fail'; status?: number }
  | { kind: 'error'; error: unknown }
  | { kind: 'pass' };

interface StrategyActions {
  redirect(url: string, status?: number): void;
  success(user: unknown, info?: unknown): void;
  fail(challengeOrStatus?: unknown, status?: number): void;
  error(err: unknown): void;
  pass(): void;
}

/**
 * Runs a passport strategy once and resolves with how it ended, the way passport's own
 * `authenticate` middleware drives it (an object inheriting from the strategy, with the
 * five actions attached), but as a promise and without a response object: the caller
 * decides what to answer, so the state cookie and the redirect stay in the HTTP layer and
 * nothing here can write a 500 or hang a request. `deadlineMs` bounds the whole run (each
 * provider request is bounded on its own too).
 */
export function runStrategy(
  strategy: RunnableStrategy,
  req: FlowRequest,
  options: Record<string, unknown>,
  deadlineMs: number,
): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: StrategyOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(
      () => settle({ kind: 'error', error: new ProviderTimeoutError() }),
      deadlineMs,
    );
    const run = Object.create(strategy) as RunnableStrategy & StrategyActions;
    run.redirect = (url) => settle({ kind: 'redirect', url });
    run.success = (user) => settle({ kind: 'success', user });
    run.fail = (challengeOrStatus, status) =>
      settle({
        kind: 'fail',
        status: typeof challengeOrStatus === 'number' ? challengeOrStatus : status,
      });
    run.error = (error) => settle({ kind: 'error', error });
    run.pass = () => settle({ kind: 'pass' });
    try {
      run.authenticate(req, options);
    } catch (error) {
      settle({ kind: 'error', error });
    }
  });
}

/**
 * The authorization URL a strategy redirects to, and the PKCE verifier it made.
 * @throws FederationError when the strategy does anything but redirect.
 */
export async function startWithStrategy(
  strategy: RunnableStrategy,
  input: { state: string; options: Record<string, unknown>; deadlineMs: number },
): Promise<{ url: string; verifier: string }> {
  const req: FlowRequest = { query: {}, flow: { state: input.state } };
  const outcome = await runStrategy(strategy, req, input.options, input.deadlineMs);
  if (outcome.kind !== 'redirect' || !req.flow.verifier)
    throw outcome.kind === 'error'
      ? asFederationError(outcome.error, 'internal')
      : FederationError.failed('internal');
  return { url: outcome.url, verifier: req.flow.verifier };
}

/**
 * Runs a strategy on the callback: state check (through {@link AttemptStateStore}), code
 * exchange with the PKCE verifier, profile, then the strategy's `validate`, whose result is
 * returned.
 * @throws FederationError for every way this fails.
 */
export async function finishWithStrategy(
  strategy: RunnableStrategy,
  input: { params: CallbackParams; attempt: SignInAttempt; deadlineMs: number },
): Promise<unknown> {
  const req: FlowRequest = {
    query: input.params,
    flow: { state: input.attempt.state, attempt: input.attempt },
  };
  const outcome = await runStrategy(strategy, req, {}, input.deadlineMs);
  switch (outcome.kind) {
    case 'success':
      return outcome.user;
    case 'fail':
      // 403 is the state store refusing; the other failure passport-oauth2 knows is the
      // provider's access_denied, which the caller handles before running the strategy.
      throw FederationError.failed(outcome.status === 403 ? 'state_mismatch' : 'provider_error');
    case 'error':
      throw asFederationError(outcome.error, strategyErrorReason(outcome.error));
    case 'redirect':
    case 'pass':
      throw FederationError.failed('internal');
  }
}

/**
 * passport-oauth2's own errors: a `TokenError` or "Failed to obtain access token" is the code
 * exchange; "Failed to fetch/parse user profile" (and the like) is the provider's API.
 */
function strategyErrorReason(err: unknown): FederationFailureReason {
  const { name, message } = (err ?? {}) as { name?: unknown; message?: unknown };
  if (name === 'TokenError' || (typeof message === 'string' && /access token/i.test(message)))
    return 'code_exchange_failed';
  return 'provider_response_invalid';
}
