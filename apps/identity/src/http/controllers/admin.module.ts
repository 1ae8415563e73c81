import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { AccountsModule } from '@identity/accounts';
import { SessionsModule } from '@identity/sessions';
import { TokensModule } from '@identity/tokens';
import { AdminAuditController } from './admin-audit.controller';
import { AdminKeysController } from './admin-keys.controller';
import { AdminRolesController } from './admin-roles.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminUsersService } from './admin-users.service';
import { AdminWebhooksController } from './admin-webhooks.controller';
import { WebhookEndpointRepository } from './admin-webhooks.repository';
import { WebhookEndpointService } from './admin-webhooks.service';

/** The admin REST API under `/admin` (API.md), every route behind `@AdminOnly()`. */
@Module({
  imports: [AccountsModule, SessionsModule, AccessModule, TokensModule],
  controllers: [
    AdminUsersController,
    AdminRolesController,
    AdminAuditController,
    AdminKeysController,
    AdminWebhooksController,
  ],
  providers: [AdminUsersService, WebhookEndpointRepository, WebhookEndpointService],
})
export class AdminModule {}
