import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import { SessionService } from '@identity/sessions';
import type { Principal } from '@identity/tokens';
import { CurrentPrincipal } from '../auth/principal';
import { Authenticated } from '../auth/route-access.decorators';
import { type SessionResponse, toSessionResponse } from './auth.mappers';
import { IdParam } from '../validation/id-param.pipe';

/** A user's own devices: list them, sign one out. */
@Controller('auth/sessions')
@Authenticated()
export class SessionsController {
  constructor(private readonly sessions: SessionService) {}

  @Get()
  async list(@CurrentPrincipal() principal: Principal): Promise<SessionResponse[]> {
    const sessions = await this.sessions.list(principal.userId);
    return sessions.map((s) => toSessionResponse(s, principal.sessionId));
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(
    @CurrentPrincipal() principal: Principal,
    @Param('id', IdParam('session')) id: string,
  ): Promise<void> {
    await this.sessions.revoke(principal.userId, id);
  }
}
