import { Module } from '@nestjs/common';
import { TokensModule } from '@identity/tokens';
import { AccessCache } from './access-cache';
import {
  PermissionEntity,
  RoleEntity,
  RolePermissionEntity,
  UserRoleEntity,
} from './access.entities';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';
import { RoleService } from './role.service';
import { TokenIntrospection } from './token-introspection.service';

/** Entities of the access context, for `DatabaseModule.forRoot({ entities })`. */
export const ACCESS_ENTITIES = [RoleEntity, PermissionEntity, RolePermissionEntity, UserRoleEntity];

/**
 * RBAC: roles, permissions, assignments, and token introspection for internal services.
 * Needs, from global modules: `ConfigModule.forRoot`, `DatabaseModule.forRoot` with
 * {@link ACCESS_ENTITIES} (and the tokens entities), `KvModule` (the `access.changed` channel,
 * the denylist) and `AuditModule` (the `EventBus`).
 */
@Module({
  imports: [TokensModule],
  providers: [AccessRepository, AccessCache, AccessService, RoleService, TokenIntrospection],
  exports: [AccessService, RoleService, TokenIntrospection],
})
export class AccessModule {}
