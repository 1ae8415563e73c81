import { type DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { type AppConfig, APP_CONFIG } from '@identity/config';
import { Clock } from '@identity/kernel';
import { FederatedCallbackHandler } from './federated-callback.handler';
import { FederatedSignIn } from './federated-sign-in.service';
import { FederationProviders } from './federation-providers';
import { RedirectPolicy } from './redirect-policy';
import { AttemptSeal } from './sign-in-attempt';

/** Options of {@link FederationModule.forRoot}. */
export interface FederationModuleOptions {
  /** The sign-in domain's implementation of the port. */
  handler: Type<FederatedCallbackHandler>;
  /** Modules whose providers the handler injects. */
  imports?: ModuleMetadata['imports'];
}

/**
 * Federated sign-in up to a verified profile: the configured providers, the sealed state,
 * the return-address policy and {@link FederatedSignIn}. With no provider configured it still
 * loads (every provider name is then unknown).
 */
@Module({})
export class FederationModule {
  static forRoot(options: FederationModuleOptions): DynamicModule {
    return {
      module: FederationModule,
      imports: options.imports ?? [],
      providers: [
        { provide: FederatedCallbackHandler, useClass: options.handler },
        {
          provide: FederationProviders,
          useFactory: (config: AppConfig) => FederationProviders.fromConfig(config),
          inject: [APP_CONFIG],
        },
        {
          provide: AttemptSeal,
          useFactory: (config: AppConfig, clock: Clock) =>
            new AttemptSeal(config.secrets.keyEncryptionKey, () => clock.nowMs()),
          inject: [APP_CONFIG, Clock],
        },
        {
          provide: RedirectPolicy,
          useFactory: (config: AppConfig) =>
            new RedirectPolicy(config.appUrl, config.oidc.redirectOrigins),
          inject: [APP_CONFIG],
        },
        FederatedSignIn,
      ],
      exports: [FederatedSignIn, FederationProviders],
    };
  }
}
