import { Module } from '@nestjs/common';
import { AccountsModule } from '@identity/accounts';
import { SessionsModule } from '@identity/sessions';
import { SignInModule } from '@identity/signin';
import { UsersModule } from '@identity/users';
import { FederatedExchange } from './federated-exchange.service';
import { FederatedIdentityRepository } from './federated-identity.repository';
import { FederatedSignInHandler } from './federated-sign-in.handler';
import { FederationCodeRepository } from './federation-code.repository';
import { FederationErasure } from './federation-erasure.subscriber';
import { IdentityLinks } from './identity-links.service';

/**
 * The federated account rules: linked identities, one-time codes, the exchange, linking and
 * unlinking, and {@link FederatedSignInHandler} (the provider layer's port). Mount the provider
 * layer with it: `FederationModule.forRoot({ handler: FederatedSignInHandler, imports:
 * [FederatedAccountsModule] })` (the handler's dependencies are exported for that). Needs,
 * from global modules: `ConfigModule.forRoot`, `DatabaseModule.forRoot`, `KvModule`,
 * `AuditModule`, `ClockModule`.
 */
@Module({
  imports: [UsersModule, AccountsModule, SignInModule, SessionsModule],
  providers: [
    FederatedIdentityRepository,
    FederationCodeRepository,
    FederatedSignInHandler,
    FederatedExchange,
    IdentityLinks,
    FederationErasure,
  ],
  exports: [
    FederatedIdentityRepository,
    FederationCodeRepository,
    FederatedSignInHandler,
    FederatedExchange,
    IdentityLinks,
    UsersModule,
    AccountsModule,
    SignInModule,
    SessionsModule,
  ],
})
export class FederatedAccountsModule {}
