import type { AppConfig } from '@identity/config';
import { FederationError } from './federation.errors';
import type { FederationProvider } from './federation-provider';
import { GitHubProvider } from './github.provider';
import { GoogleProvider } from './google.provider';
import { GenericOidcProvider } from './oidc.provider';

/** The providers that are on (client id and secret set), by route name. */
export class FederationProviders {
  private readonly byName: ReadonlyMap<string, FederationProvider>;

  constructor(providers: FederationProvider[]) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  /** Builds every configured provider; none configured is fine (every route answers 404). */
  static fromConfig(config: AppConfig): FederationProviders {
    const { google, github, generic, httpTimeoutMs: timeoutMs } = config.oidc;
    const callbackUrl = (name: string) => `${config.appUrl}/auth/oidc/${name}/callback`;
    const providers: FederationProvider[] = [];
    if (google)
      providers.push(new GoogleProvider(google, { callbackUrl: callbackUrl('google'), timeoutMs }));
    if (github)
      providers.push(new GitHubProvider(github, { callbackUrl: callbackUrl('github'), timeoutMs }));
    if (generic)
      providers.push(
        new GenericOidcProvider(generic, { callbackUrl: callbackUrl(generic.name), timeoutMs }),
      );
    return new FederationProviders(providers);
  }

  /** Names of the providers that are on. */
  get names(): string[] {
    return [...this.byName.keys()];
  }

  /** @throws FederationError `federation.provider_not_found` for an unknown or unconfigured name. */
  get(name: string): FederationProvider {
    const provider = this.byName.get(name);
    if (!provider) throw new FederationError('federation.provider_not_found', 'provider_unknown');
    return provider;
  }
}
