import { type DynamicModule, Module } from '@nestjs/common';
import { FederationModule, type FederationModuleOptions } from '@identity/federation';
import { TokensModule } from '@identity/tokens';
import { CsrfTokens } from '../auth/csrf-tokens';
import { TokenResponder } from '../auth/token-responder';
import { FederatedAccountsController } from './federated-accounts.controller';
import { FederationController } from './federation.controller';

/**
 * The federated sign-in routes: `GET /auth/oidc/:provider` and its callback over
 * {@link FederationModule}; `GET /auth/oidc`, the exchange, linking and `/auth/identities`
 * over `FederatedExchange` and `IdentityLinks`, which `imports` must provide. AppModule mounts
 * it with the sign-in domain: `FederationHttpModule.forRoot({ handler: FederatedSignInHandler,
 * imports: [FederatedAccountsModule] })`; with no provider configured every provider name
 * answers 404.
 */
@Module({})
export class FederationHttpModule {
  static forRoot(options: FederationModuleOptions): DynamicModule {
    return {
      module: FederationHttpModule,
      imports: [FederationModule.forRoot(options), TokensModule, ...(options.imports ?? [])],
      controllers: [FederationController, FederatedAccountsController],
      providers: [TokenResponder, CsrfTokens],
    };
  }
}
