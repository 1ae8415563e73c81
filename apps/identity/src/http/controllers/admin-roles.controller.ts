import { Body, Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import type { z } from 'zod';
import { RoleService } from '@identity/access';
import type { Principal } from '@identity/tokens';
import { CurrentPrincipal } from '../auth/principal';
import { ZodPipe } from '../validation/zod-body.pipe';
import { roleBody } from '../validation/admin.schemas';
import { AdminOnly } from './admin-access.decorator';
import { type RoleResponse, toRoleResponse } from './admin.mappers';

/** Roles and their permissions, for administrators. */
@Controller('admin/roles')
@AdminOnly()
export class AdminRolesController {
  constructor(private readonly roles: RoleService) {}

  @Get()
  async list(): Promise<{ items: RoleResponse[] }> {
    return { items: (await this.roles.list()).map(toRoleResponse) };
  }

  @Put(':name')
  async save(
    @Param('name') name: string,
    @Body(new ZodPipe(roleBody)) body: z.infer<typeof roleBody>,
    @CurrentPrincipal() admin: Principal,
  ): Promise<RoleResponse> {
    const role = await this.roles.save({
      name,
      permissions: body.permissions,
      description: body.description,
      actorId: admin.userId,
    });
    return toRoleResponse(role);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(@Param('name') name: string, @CurrentPrincipal() admin: Principal): Promise<void> {
    await this.roles.delete({ name, actorId: admin.userId });
  }
}
