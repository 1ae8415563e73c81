import { type DynamicModule, Module } from '@nestjs/common';
import { FederationModule, type FederationModuleOptions } from '@identity/federation';
import { FederationController } from './federation.controller';

/**
 * The federated sign-in routes (`GET /auth/oidc/:provider` and its callback) over
 * {@link FederationModule}. Mount it in AppModule with the sign-in domain's handler:
 * `FederationHttpModule.forRoot({ handler: ..., imports: [...] })`; with no provider
 * configured every provider name answers 404.
 */
@Module({})
export class FederationHttpModule {
  static forRoot(options: FederationModuleOptions): DynamicModule {
    return {
      module: FederationHttpModule,
      imports: [FederationModule.forRoot(options)],
      controllers: [FederationController],
    };
  }
}
