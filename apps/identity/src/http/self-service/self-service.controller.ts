import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import {
  AccountActivityService,
  AccountDeletionService,
  EmailChangeService,
  ProfileService,
  type ReauthProof,
} from '@identity/accounts';
import { type AppConfig, InjectConfig } from '@identity/config';
import type { ClientContext } from '@identity/sessions';
import type { Principal } from '@identity/tokens';
import { AuthCookies } from '../auth/auth-cookies';
import { OptionalPrincipal } from '../auth/optional-principal';
import { Client, CurrentPrincipal } from '../auth/principal';
import { Authenticated, Public } from '../auth/route-access.decorators';
import { type MeResponse, toMeResponse } from '../controllers/auth.mappers';
import { ZodPipe } from '../validation/zod-body.pipe';
import {
  activityQuery,
  changeEmailBody,
  confirmEmailChangeBody,
  deleteMeBody,
  updateMeBody,
} from '../validation/self-service.schemas';
import { type ActivityResponse, toActivityResponse } from './self-service.mappers';

/**
 * The signed-in user's own account (API.md, `PATCH /auth/me` to `GET /auth/me/activity`):
 * the name, a new address confirmed from its mailbox, deletion, recent security activity.
 */
@Controller('auth')
export class SelfServiceController {
  private readonly cookies: AuthCookies;

  constructor(
    private readonly profiles: ProfileService,
    private readonly emailChanges: EmailChangeService,
    private readonly deletion: AccountDeletionService,
    private readonly activity: AccountActivityService,
    private readonly optionalPrincipal: OptionalPrincipal,
    @InjectConfig() config: AppConfig,
  ) {
    this.cookies = new AuthCookies(config);
  }

  @Patch('me')
  @Authenticated()
  async rename(
    @Body(new ZodPipe(updateMeBody)) body: z.infer<typeof updateMeBody>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MeResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return toMeResponse(await this.profiles.rename(principal.userId, body.name));
  }

  @Post('change-email')
  @Authenticated()
  @HttpCode(202)
  async changeEmail(
    @Body(new ZodPipe(changeEmailBody)) body: z.infer<typeof changeEmailBody>,
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientContext,
  ): Promise<{ status: 'confirmation_sent' }> {
    await this.emailChanges.request(
      { userId: principal.userId, newEmail: body.new_email, proof: proofOf(body) },
      client,
    );
    return { status: 'confirmation_sent' };
  }

  @Post('confirm-email-change')
  @Public()
  @HttpCode(200)
  async confirmEmailChange(
    @Body(new ZodPipe(confirmEmailChangeBody)) body: z.infer<typeof confirmEmailChangeBody>,
    @Client() client: ClientContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MeResponse> {
    // A browser signed in to the account keeps its session; every other one ends.
    const principal = await this.optionalPrincipal.of(req);
    const userId = await this.emailChanges.confirm(
      { token: body.token, keepSessionId: principal?.sessionId },
      client,
    );
    res.setHeader('Cache-Control', 'no-store');
    return toMeResponse(await this.profiles.me(userId));
  }

  @Delete('me')
  @Authenticated()
  @HttpCode(204)
  async deleteAccount(
    @Body(new ZodPipe(deleteMeBody)) body: z.infer<typeof deleteMeBody>,
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.deletion.delete({ userId: principal.userId, proof: proofOf(body) }, client);
    this.cookies.clear(res);
  }

  @Get('me/activity')
  @Authenticated()
  async recentActivity(
    @Query(new ZodPipe(activityQuery)) query: z.infer<typeof activityQuery>,
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ActivityResponse> {
    res.setHeader('Cache-Control', 'no-store');
    const page = await this.activity.list(
      { userId: principal.userId, before: query.before, limit: query.limit },
      client,
    );
    return toActivityResponse(page);
  }
}

/** The schema let exactly one of the two through. */
function proofOf(body: { password?: string; code?: string }): ReauthProof {
  return body.password !== undefined ? { password: body.password } : { code: body.code ?? '' };
}
