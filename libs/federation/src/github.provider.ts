import { PassportStrategy } from '@nestjs/passport';
import { type Profile, Strategy as GitHubStrategy } from 'passport-github2';
import { z } from 'zod';
import type { AppConfig } from '@identity/config';
import { FederationError } from './federation.errors';
import type { AuthorizationSeed, FederationProvider } from './federation-provider';
import { roundTripDeadline } from './federation-provider';
import type { CallbackParams, FederatedProfile } from './federation.types';
import {
  AttemptStateStore,
  finishWithStrategy,
  type FlowRequest,
  startWithStrategy,
} from './passport-flow';
import { boundProviderRequests, fetchProviderJson } from './provider-http';
import type { SignInAttempt } from './sign-in-attempt';

type GitHubSettings = NonNullable<AppConfig['oidc']['github']>;

export const GITHUB_SCOPES = ['read:user', 'user:email'];

const USER_AGENT = 'identity-platform';

const githubUser = z.object({
  id: z.number().int().positive(),
  login: z.string().optional(),
  name: z.string().nullish(),
});

const githubEmails = z.array(
  z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }),
);

/**
 * The address GitHub vouches for: the primary one, if it is verified. Anything else (no
 * addresses, a primary that is not verified) vouches for none.
 */
export function vouchedEmail(emails: z.infer<typeof githubEmails>): {
  email: string | null;
  emailVerified: boolean;
} {
  const primary = emails.find((e) => e.primary && e.verified && e.email !== '');
  return primary
    ? { email: primary.email, emailVerified: true }
    : { email: null, emailVerified: false };
}

/**
 * passport-github2 with PKCE and the state store of {@link AttemptStateStore}. The scopes go
 * with each authorization request rather than to the strategy, so that the strategy does not
 * fetch `/user/emails` itself: it keeps only the primary address without saying whether it is
 * verified, and parses that answer outside any try (a malformed body would throw out of the
 * HTTP callback and take the process down). `validate` reads the addresses instead.
 */
class GitHubSignInStrategy extends PassportStrategy(GitHubStrategy, 'github', true) {
  constructor(
    settings: GitHubSettings,
    callbackURL: string,
    private readonly api: { emailsUrl: string; timeoutMs: number },
  ) {
    super({
      clientID: settings.clientId,
      clientSecret: settings.clientSecret,
      callbackURL,
      authorizationURL: `${settings.baseUrl}/login/oauth/authorize`,
      tokenURL: `${settings.baseUrl}/login/oauth/access_token`,
      userProfileURL: `${settings.apiUrl}/user`,
      userAgent: USER_AGENT,
      scopeSeparator: ' ',
      store: new AttemptStateStore() as never,
      pkce: true,
      passReqToCallback: true,
    });
  }

  /** Called by the strategy after the code exchange and `GET /user`. */
  async validate(
    _req: FlowRequest,
    accessToken: string,
    _refreshToken: string,
    _params: unknown,
    profile: Profile,
  ): Promise<FederatedProfile> {
    const user = githubUser.safeParse((profile as Profile & { _json?: unknown })._json);
    if (!user.success) throw FederationError.failed('provider_response_invalid');
    const emails = githubEmails.safeParse(
      await fetchProviderJson(this.api.emailsUrl, accessToken, {
        timeoutMs: this.api.timeoutMs,
        headers: {
          Accept: 'application/vnd.github+json',
          'User-Agent': USER_AGENT,
          'X-GitHub-Api-Version': '2022-11-28',
        },
      }),
    );
    if (!emails.success) throw FederationError.failed('provider_response_invalid');
    return {
      provider: 'github',
      subject: String(user.data.id),
      ...vouchedEmail(emails.data),
      name: user.data.name || user.data.login || null,
    };
  }
}

/** "Continue with GitHub": OAuth app authorization with state and PKCE, then the REST API. */
export class GitHubProvider implements FederationProvider {
  readonly name = 'github';
  private readonly strategy: GitHubSignInStrategy;

  constructor(
    settings: GitHubSettings,
    private readonly options: { callbackUrl: string; timeoutMs: number },
  ) {
    this.strategy = new GitHubSignInStrategy(settings, options.callbackUrl, {
      emailsUrl: `${settings.apiUrl}/user/emails`,
      timeoutMs: options.timeoutMs,
    });
    boundProviderRequests(
      (this.strategy as unknown as { _oauth2: unknown })._oauth2,
      options.timeoutMs,
    );
  }

  authorize(seed: AuthorizationSeed): Promise<{ url: string; verifier: string }> {
    return startWithStrategy(this.strategy, {
      state: seed.state,
      options: { scope: GITHUB_SCOPES },
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
