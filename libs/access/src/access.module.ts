import { Module } from '@nestjs/common';
import { TokensModule } from '@identity/tokens';
import { UsersModule } from '@identity/users';
import { AccessCache } from './access-cache';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';
import { RoleService } from './role.service';
import { RevocationFeed } from './revocation-feed';
import { TokenIntrospection } from './token-introspection.service';

/**
 * RBAC: roles, permissions, assignments, and for internal services token introspection and
 * the revocation feed.
 * Needs, from global modules: `ConfigModule.forRoot`, `DatabaseModule.forRoot`, `KvModule` (the `access.changed` channel,
 * the denylist) and `AuditModule` (the `EventBus`).
 */
@Module({
  imports: [TokensModule, UsersModule],
  providers: [
    AccessRepository,
    AccessCache,
    AccessService,
    RoleService,
    TokenIntrospection,
    RevocationFeed,
  ],
  exports: [AccessService, RoleService, TokenIntrospection, RevocationFeed],
})
export class AccessModule {}
