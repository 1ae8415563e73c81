import http from 'node:http';
import https from 'node:https';
import { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FederationError, type FederationFailureReason } from './federation.errors';

/** A provider that did not answer within FEDERATION_HTTP_TIMEOUT_MS. */
export class ProviderTimeoutError extends Error {
  constructor() {
    super('the provider did not answer in time');
    this.name = 'ProviderTimeoutError';
  }
}

function withDeadline(socket: Duplex | null | undefined, timeoutMs: number) {
  if (socket instanceof Socket)
    socket.setTimeout(timeoutMs, () => socket.destroy(new ProviderTimeoutError()));
  return socket;
}

/** An http agent whose sockets are destroyed after `timeoutMs` without traffic. */
class DeadlineHttpAgent extends http.Agent {
  constructor(private readonly timeoutMs: number) {
    super({ keepAlive: false });
  }

  override createConnection(
    ...args: Parameters<http.Agent['createConnection']>
  ): ReturnType<http.Agent['createConnection']> {
    return withDeadline(super.createConnection(...args), this.timeoutMs);
  }
}

class DeadlineHttpsAgent extends https.Agent {
  constructor(private readonly timeoutMs: number) {
    super({ keepAlive: false });
  }

  override createConnection(
    ...args: Parameters<https.Agent['createConnection']>
  ): ReturnType<https.Agent['createConnection']> {
    return withDeadline(super.createConnection(...args), this.timeoutMs);
  }
}

/** The one internal of node-oauth's `OAuth2` (under passport-oauth2) that sends requests. */
interface NodeOAuth2Transport {
  _executeRequest(
    library: typeof http | typeof https,
    options: http.RequestOptions,
    body: unknown,
    callback: unknown,
  ): void;
}

/**
 * passport-oauth2 talks to the token and profile endpoints through node-oauth, which sets no
 * timeout at all: a provider that accepts the connection and never answers would hold the
 * callback (and a socket) forever. node-oauth's only transport hook, `setAgent`, takes one
 * agent for both protocols, so its request function is wrapped to pick an http or https
 * agent whose sockets die after `timeoutMs` of silence; the request then fails with
 * {@link ProviderTimeoutError} and the strategy reports an error like any other.
 */
export function boundProviderRequests(oauth2: unknown, timeoutMs: number): void {
  const transport = oauth2 as NodeOAuth2Transport;
  if (typeof transport._executeRequest !== 'function')
    throw new Error('node-oauth changed: OAuth2._executeRequest is gone');
  const agents = {
    http: new DeadlineHttpAgent(timeoutMs),
    https: new DeadlineHttpsAgent(timeoutMs),
  };
  const execute = transport._executeRequest.bind(transport);
  transport._executeRequest = (library, options, body, callback) =>
    execute(
      library,
      { ...options, agent: library === https ? agents.https : agents.http },
      body,
      callback,
    );
}

/** The errors (and their causes) that one failure is made of, outermost first. */
function chainOf(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current = err;
  while (current && typeof current === 'object' && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    const next = current as { cause?: unknown; oauthError?: unknown };
    current = next.cause ?? next.oauthError;
  }
  return chain;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * A transport failure's reason (`provider_timeout`, `provider_unreachable`), or undefined
 * when `err` is not one (then the caller knows better what failed).
 */
export function transportFailure(err: unknown): FederationFailureReason | undefined {
  for (const e of chainOf(err)) {
    const { name, code } = e as { name?: unknown; code?: unknown };
    if (e instanceof ProviderTimeoutError || name === 'TimeoutError' || code === 'ERR_JWKS_TIMEOUT')
      return 'provider_timeout';
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return 'provider_unreachable';
    if (e instanceof TypeError && e.message === 'fetch failed') return 'provider_unreachable';
  }
  return undefined;
}

/** `err` as a {@link FederationError}: kept when it is one, else `fallback` unless it was the network. */
export function asFederationError(
  err: unknown,
  fallback: FederationFailureReason,
): FederationError {
  if (err instanceof FederationError) return err;
  for (const e of chainOf(err)) if (e instanceof FederationError) return e;
  return FederationError.failed(transportFailure(err) ?? fallback, err);
}

/**
 * GET a provider's JSON API with a bearer token, within `timeoutMs`.
 * @throws FederationError `provider_timeout`, `provider_unreachable` or
 *   `provider_response_invalid` (non-2xx, not JSON).
 */
export async function fetchProviderJson(
  url: string,
  accessToken: string,
  options: { timeoutMs: number; headers?: Record<string, string> },
): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: { Authorization: `Bearer ${accessToken}`, ...options.headers },
      signal: AbortSignal.timeout(options.timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    throw FederationError.failed(transportFailure(err) ?? 'provider_unreachable', err);
  }
  try {
    if (!response.ok) throw new Error(`status ${response.status}`);
    return await response.json();
  } catch (err) {
    throw asFederationError(err, 'provider_response_invalid');
  }
}
