import { PassportStrategy } from '@nestjs/passport';
import { type Profile, Strategy as GoogleStrategy } from 'passport-google-oauth20';
import type { AppConfig } from '@identity/config';
import { FederationError } from './federation.errors';
import type { AuthorizationSeed, FederationProvider } from './federation-provider';
import { roundTripDeadline } from './federation-provider';
import type { CallbackParams, FederatedProfile } from './federation.types';
import { IdTokenVerifier } from './id-token.verifier';
import {
  AttemptStateStore,
  finishWithStrategy,
  type FlowRequest,
  startWithStrategy,
} from './passport-flow';
import { boundProviderRequests } from './provider-http';
import type { SignInAttempt } from './sign-in-attempt';

type GoogleSettings = NonNullable<AppConfig['oidc']['google']>;

export const GOOGLE_SCOPES = ['openid', 'email', 'profile'];

/** Google names itself either way in `iss` (Google Identity docs, "Validate an ID token"). */
const GOOGLE_ISSUER = 'https://accounts.google.com';

/**
 * passport-google-oauth20, with PKCE and the state store of {@link AttemptStateStore}, a
 * `nonce` in the authorization request, and `validate` holding the ID token to OIDC's rules:
 * the strategy alone trusts whatever the userinfo endpoint says.
 */
class GoogleSignInStrategy extends PassportStrategy(GoogleStrategy, 'google', true) {
  constructor(
    settings: GoogleSettings,
    callbackURL: string,
    private readonly idTokens: IdTokenVerifier,
  ) {
    super({
      clientID: settings.clientId,
      clientSecret: settings.clientSecret,
      callbackURL,
      authorizationURL: settings.authorizationUrl,
      tokenURL: settings.tokenUrl,
      userProfileURL: settings.userinfoUrl,
      scope: GOOGLE_SCOPES,
      store: new AttemptStateStore() as never,
      pkce: true,
      passReqToCallback: true,
    });
  }

  override authorizationParams(options: { nonce?: unknown }): object {
    return { ...super.authorizationParams(options), nonce: options.nonce };
  }

  /** Called by the strategy after the code exchange and the userinfo request. */
  async validate(
    req: FlowRequest,
    _accessToken: string,
    _refreshToken: string,
    params: { id_token?: unknown },
    userinfo: Profile,
  ): Promise<FederatedProfile> {
    const attempt = req.flow.attempt;
    if (!attempt) throw FederationError.failed('internal');
    const claims = await this.idTokens.verify(params.id_token, attempt.nonce);
    // The userinfo answer comes over the same TLS connection but is not signed: it may add a
    // name, never speak for another subject.
    if (userinfo.id !== claims.sub) throw FederationError.failed('userinfo_mismatch');
    const email = typeof claims.email === 'string' && claims.email !== '' ? claims.email : null;
    const name =
      typeof claims.name === 'string' && claims.name !== '' ? claims.name : userinfo.displayName;
    return {
      provider: 'google',
      subject: claims.sub,
      email,
      emailVerified:
        email !== null && (claims.email_verified === true || claims.email_verified === 'true'),
      name: name || null,
    };
  }
}

/** "Continue with Google": authorization code flow with PKCE, nonce and a verified ID token. */
export class GoogleProvider implements FederationProvider {
  readonly name = 'google';
  private readonly strategy: GoogleSignInStrategy;

  constructor(
    settings: GoogleSettings,
    private readonly options: { callbackUrl: string; timeoutMs: number },
  ) {
    const issuers =
      settings.issuer === GOOGLE_ISSUER
        ? [GOOGLE_ISSUER, 'accounts.google.com']
        : [settings.issuer];
    const idTokens = new IdTokenVerifier({
      jwksUrl: settings.jwksUrl,
      issuers,
      clientId: settings.clientId,
      algorithms: ['RS256'],
      timeoutMs: options.timeoutMs,
    });
    this.strategy = new GoogleSignInStrategy(settings, options.callbackUrl, idTokens);
    boundProviderRequests(
      (this.strategy as unknown as { _oauth2: unknown })._oauth2,
      options.timeoutMs,
    );
  }

  authorize(seed: AuthorizationSeed): Promise<{ url: string; verifier: string }> {
    return startWithStrategy(this.strategy, {
      state: seed.state,
      options: { nonce: seed.nonce },
      deadlineMs: roundTripDeadline(this.options.timeoutMs),
    });
  }

  async verify(params: CallbackParams, attempt: SignInAttempt): Promise<FederatedProfile> {
    return (await finishWithStrategy(this.strategy, {
      params,
      attempt,
      deadlineMs: roundTripDeadline(this.options.timeoutMs),
    })) as FederatedProfile;
  }
}
