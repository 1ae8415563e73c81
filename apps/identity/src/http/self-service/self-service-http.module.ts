import { Module } from '@nestjs/common';
import { AccountsModule } from '@identity/accounts';
import { TokensModule } from '@identity/tokens';
import { OptionalPrincipal } from '../auth/optional-principal';
import { SelfServiceController } from './self-service.controller';

/** The self-service routes of the signed-in user (mounted by AppModule). */
@Module({
  imports: [AccountsModule, TokensModule],
  controllers: [SelfServiceController],
  providers: [OptionalPrincipal],
})
export class SelfServiceHttpModule {}
