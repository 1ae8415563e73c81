import { Module } from '@nestjs/common';
import {
  PermissionEntity,
  RoleEntity,
  RolePermissionEntity,
  UserRoleEntity,
} from './access.entities';
import { AccessRepository } from './access.repository';
import { AccessService } from './access.service';

/** Entities of the access context, for `DatabaseModule.forRoot({ entities })`. */
export const ACCESS_ENTITIES = [RoleEntity, PermissionEntity, RolePermissionEntity, UserRoleEntity];

/** RBAC: roles, permissions, assignments. */
@Module({ providers: [AccessRepository, AccessService], exports: [AccessService] })
export class AccessModule {}
