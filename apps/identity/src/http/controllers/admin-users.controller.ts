import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import type { z } from 'zod';
import { AccessService } from '@identity/access';
import type { Principal } from '@identity/tokens';
import { CurrentPrincipal } from '../auth/principal';
import { ZodPipe } from '../validation/zod-body.pipe';
import { adminUsersQuery, userRolesBody } from '../validation/admin.schemas';
import { AdminOnly } from './admin-access.decorator';
import { type AdminUserResponse, toAdminUserResponse } from './admin.mappers';
import { AdminUsersService } from '../../admin/admin-users.service';
import { IdParam } from '../validation/id-param.pipe';

/** Accounts, for administrators: look up, lock and unlock, set roles. */
@Controller('admin/users')
@AdminOnly()
export class AdminUsersController {
  constructor(
    private readonly users: AdminUsersService,
    private readonly access: AccessService,
  ) {}

  @Get()
  async find(
    @Query(new ZodPipe(adminUsersQuery)) query: z.infer<typeof adminUsersQuery>,
  ): Promise<{ items: AdminUserResponse[] }> {
    const users = await this.users.findByEmail(query.email);
    return { items: users.map(toAdminUserResponse) };
  }

  @Get(':id')
  async get(@Param('id', IdParam('user')) id: string): Promise<AdminUserResponse> {
    return toAdminUserResponse(await this.users.get(id));
  }

  @Post(':id/lock')
  @HttpCode(204)
  async lock(
    @Param('id', IdParam('user')) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<void> {
    await this.users.lock(id, admin.userId);
  }

  @Post(':id/unlock')
  @HttpCode(204)
  async unlock(
    @Param('id', IdParam('user')) id: string,
    @CurrentPrincipal() admin: Principal,
  ): Promise<void> {
    await this.users.unlock(id, admin.userId);
  }

  @Put(':id/roles')
  async setRoles(
    @Param('id', IdParam('user')) id: string,
    @Body(new ZodPipe(userRolesBody)) body: z.infer<typeof userRolesBody>,
    @CurrentPrincipal() admin: Principal,
  ): Promise<{ roles: string[] }> {
    const roles = await this.users.setRoles({
      userId: id,
      roles: body.roles,
      actorId: admin.userId,
    });
    return { roles };
  }
}
