import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { DeliveryModule } from '@identity/delivery';
import { TokensModule } from '@identity/tokens';
import { AdminUseCasesModule } from '../../admin/admin-use-cases.module';
import { AdminAuditController } from './admin-audit.controller';
import { AdminKeysController } from './admin-keys.controller';
import { AdminRolesController } from './admin-roles.controller';
import { AdminUsersController } from './admin-users.controller';
import { AdminWebhooksController } from './admin-webhooks.controller';

/** The admin REST API under `/admin` (API.md), every route behind `@AdminOnly()`. */
@Module({
  imports: [AdminUseCasesModule, AccessModule, TokensModule, DeliveryModule],
  controllers: [
    AdminUsersController,
    AdminRolesController,
    AdminAuditController,
    AdminKeysController,
    AdminWebhooksController,
  ],
})
export class AdminModule {}
