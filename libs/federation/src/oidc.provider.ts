import * as client from 'openid-client';
import type { AppConfig } from '@identity/config';
import { FederationError, type FederationFailureReason } from './federation.errors';
import type { AuthorizationSeed, FederationProvider } from './federation-provider';
import type { CallbackParams, FederatedProfile } from './federation.types';
import { transportFailure } from './provider-http';
import type { SignInAttempt } from './sign-in-attempt';

type GenericSettings = NonNullable<AppConfig['oidc']['generic']>;

export const OIDC_SCOPES = 'openid email profile';

/** A failed discovery is retried by the next sign-in, but not more often than this. */
const DISCOVERY_RETRY_MS = 5_000;

/**
 * The generic OpenID Connect provider, on openid-client: discovery at the issuer (checked
 * to name itself exactly), authorization code flow with PKCE S256, `state` and `nonce`, and
 * the ID token's signature (non-repudiation checks: the JWKS, even over TLS), `iss`, `aud`,
 * `azp`, `exp` and `nonce`. State and PKCE live in the sealed cookie like the passport
 * providers' (openid-client's own passport strategy needs a server session, which this app
 * does not keep). Claims come from the ID token, the email from userinfo when the ID token
 * has none.
 */
export class GenericOidcProvider implements FederationProvider {
  readonly name: string;
  private discovered?: Promise<client.Configuration>;
  private failedAt = 0;

  constructor(
    private readonly settings: GenericSettings,
    private readonly options: { callbackUrl: string; timeoutMs: number },
  ) {
    this.name = settings.name;
  }

  async authorize(seed: AuthorizationSeed): Promise<{ url: string; verifier: string }> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.options.callbackUrl,
      scope: OIDC_SCOPES,
      state: seed.state,
      nonce: seed.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, verifier };
  }

  async verify(params: CallbackParams, attempt: SignInAttempt): Promise<FederatedProfile> {
    const config = await this.configuration();
    const callback = new URL(this.options.callbackUrl);
    for (const [key, value] of Object.entries(params)) callback.searchParams.set(key, value);
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: attempt.verifier,
        expectedState: attempt.state,
        expectedNonce: attempt.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw FederationError.failed(grantFailure(err), err);
    }
    const claims = tokens.claims();
    if (!claims) throw FederationError.failed('id_token_missing');
    let { email, email_verified: emailVerified, name } = claims;
    if (email === undefined && config.serverMetadata().userinfo_endpoint) {
      try {
        const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
        ({ email, email_verified: emailVerified, name = name } = info);
      } catch (err) {
        throw FederationError.failed(transportFailure(err) ?? 'provider_response_invalid', err);
      }
    }
    const address = typeof email === 'string' && email !== '' ? email : null;
    return {
      provider: this.name,
      subject: claims.sub,
      email: address,
      emailVerified: address !== null && (emailVerified === true || emailVerified === 'true'),
      name: typeof name === 'string' && name !== '' ? name : null,
    };
  }

  /**
   * The discovered configuration, fetched at the first sign-in (so the app boots while the
   * provider is down) and kept; a failure is remembered for {@link DISCOVERY_RETRY_MS}.
   * @throws FederationError `provider_unreachable`, `provider_timeout` or
   *   `provider_response_invalid`.
   */
  private async configuration(): Promise<client.Configuration> {
    if (!this.discovered) {
      if (Date.now() - this.failedAt < DISCOVERY_RETRY_MS)
        throw FederationError.failed('provider_unreachable');
      const issuer = new URL(this.settings.issuer);
      this.discovered = client.discovery(
        issuer,
        this.settings.clientId,
        this.settings.clientSecret,
        undefined,
        {
          timeout: this.options.timeoutMs / 1000,
          // Plain http only reaches here outside production (the config refuses it there).
          execute: [
            client.enableNonRepudiationChecks,
            ...(issuer.protocol === 'http:' ? [client.allowInsecureRequests] : []),
          ],
        },
      );
      this.discovered.catch(() => {
        this.discovered = undefined;
        this.failedAt = Date.now();
      });
    }
    try {
      return await this.discovered;
    } catch (err) {
      throw FederationError.failed(transportFailure(err) ?? 'provider_response_invalid', err);
    }
  }
}

/** The failure and its causes, outermost first (openid-client wraps oauth4webapi's errors). */
function causes(err: unknown): { code?: unknown; message?: unknown; cause?: unknown }[] {
  const chain: { code?: unknown; message?: unknown; cause?: unknown }[] = [];
  for (
    let e = err;
    e && typeof e === 'object' && chain.length < 4;
    e = (e as { cause?: unknown }).cause
  )
    chain.push(e);
  return chain;
}

/** What an openid-client failure of the code grant says went wrong. */
function grantFailure(err: unknown): FederationFailureReason {
  const transport = transportFailure(err);
  if (transport) return transport;
  const chain = causes(err);
  const code = chain[0]?.code;
  const claim = chain.map((e) => (e as { claim?: unknown }).claim).find((c) => c !== undefined);
  switch (code) {
    case 'OAUTH_RESPONSE_BODY_ERROR':
    case 'OAUTH_AUTHORIZATION_RESPONSE_ERROR':
      return 'code_exchange_failed';
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return 'id_token_expired';
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      return claim === 'iss'
        ? 'id_token_issuer'
        : claim === 'aud' || claim === 'azp'
          ? 'id_token_audience'
          : claim === 'nonce'
            ? 'id_token_nonce'
            : 'id_token_invalid';
    case 'OAUTH_KEY_SELECTION_FAILED':
      return 'id_token_signature';
    case 'OAUTH_INVALID_RESPONSE':
      return chain.some((e) => typeof e.message === 'string' && /signature/i.test(e.message))
        ? 'id_token_signature'
        : 'provider_response_invalid';
    default:
      return 'id_token_invalid';
  }
}
