import { Body, Controller, Get, HttpCode, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PasswordRecoveryService, ProfileService, RegistrationService } from '@identity/accounts';
import { PasswordSignIn } from '@identity/signin';
import { type ClientContext, SessionService } from '@identity/sessions';
import { type Principal } from '@identity/tokens';
import { Authenticated, Public } from '../auth/route-access.decorators';
import { Client, CurrentPrincipal } from '../auth/principal';
import { TokenResponder, type TokenPairBody } from '../auth/token-responder';
import { RefreshCredentials } from '../auth/refresh-credentials';
import { withProblemMapping } from '../problem/domain-errors';
import { ProblemException } from '../problem/problem';
import { ZodPipe } from '../validation/zod-body.pipe';
import {
  changePasswordBody,
  emailBody,
  loginBody,
  logoutBody,
  refreshBody,
  registerBody,
  resetPasswordBody,
  verifyEmailBody,
  verifyEmailQuery,
} from '../validation/auth.schemas';
import type { z } from 'zod';
import { verifyEmailPage } from './verify-email.page';
import { toMeResponse, type MeResponse } from './auth.mappers';
import { type MfaRequiredResponse, toMfaRequiredResponse } from './mfa.mappers';

/** REST for web and mobile clients: accounts, passwords, login, refresh, logout. */
@Controller('auth')
export class AuthController {
  constructor(
    private readonly registration: RegistrationService,
    private readonly recovery: PasswordRecoveryService,
    private readonly passwordSignIn: PasswordSignIn,
    private readonly profiles: ProfileService,
    private readonly sessions: SessionService,
    private readonly tokens: TokenResponder,
    private readonly refreshCredentials: RefreshCredentials,
  ) {}

  @Post('register')
  @Public()
  @HttpCode(202)
  async register(
    @Body(new ZodPipe(registerBody)) body: z.infer<typeof registerBody>,
    @Client() client: ClientContext,
  ): Promise<{ status: 'verification_sent' }> {
    await this.registration.register(body, client);
    return { status: 'verification_sent' };
  }

  @Get('verify-email')
  @Public()
  async verifyByLink(
    @Query() query: unknown,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // Only a page: a GET (or HEAD: mail scanners fetch links) never verifies nor spends the
    // token; the page's form posts the token with the password.
    const wantsHtml = req.accepts(['application/json', 'text/html']) === 'text/html';
    const parsed = verifyEmailQuery.safeParse(query);
    const live =
      parsed.success && (await this.registration.isVerificationLinkLive(parsed.data.token));
    if (live) {
      res.status(200).type('html').send(verifyEmailPage(true));
      return;
    }
    if (!wantsHtml) {
      throw new ProblemException(400, 'token_invalid', 'The link is invalid, used or expired.');
    }
    res.status(400).type('html').send(verifyEmailPage(false));
  }

  @Post('verify-email')
  @Public()
  @HttpCode(200)
  async verify(
    @Body(new ZodPipe(verifyEmailBody)) body: z.infer<typeof verifyEmailBody>,
    @Client() client: ClientContext,
  ): Promise<{ status: 'verified' }> {
    await this.registration.verifyEmail({ token: body.token, password: body.password }, client);
    return { status: 'verified' };
  }

  @Post('resend-verification')
  @Public()
  @HttpCode(202)
  async resend(
    @Body(new ZodPipe(emailBody)) body: z.infer<typeof emailBody>,
    @Client() client: ClientContext,
  ): Promise<{ status: 'accepted' }> {
    await this.registration.resendVerification(body.email, client);
    return { status: 'accepted' };
  }

  @Post('login')
  @Public()
  @HttpCode(200)
  async signIn(
    @Body(new ZodPipe(loginBody)) body: z.infer<typeof loginBody>,
    @Client() client: ClientContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenPairBody | MfaRequiredResponse> {
    const result = await this.passwordSignIn.signIn(
      { email: body.email, password: body.password, deviceName: body.device_name },
      client,
    );
    if (result.kind === 'mfa_required') {
      // The mfa_token is a credential for the next 300 s: never cached either.
      res.setHeader('Cache-Control', 'no-store');
      return toMfaRequiredResponse(result);
    }
    return this.tokens.send(req, res, result.pair);
  }

  @Post('refresh')
  @Public()
  @HttpCode(200)
  async refresh(
    @Body(new ZodPipe(refreshBody)) body: z.infer<typeof refreshBody>,
    @Client() client: ClientContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenPairBody> {
    const refreshToken = this.refreshCredentials.fromRequest(req, body.refresh_token);
    if (!refreshToken) {
      throw new ProblemException(401, 'refresh_invalid', 'A refresh token is required.');
    }
    return this.tokens.send(req, res, await this.sessions.refresh(refreshToken, client));
  }

  @Post('logout')
  @Public()
  @HttpCode(204)
  async logout(
    @Body(new ZodPipe(logoutBody)) body: z.infer<typeof logoutBody>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    const target = await this.refreshCredentials.logoutTarget(req, body.refresh_token);
    await this.sessions.logout(target);
    this.tokens.cookies.clear(res);
  }

  @Post('logout-all')
  @Authenticated()
  @HttpCode(204)
  async logoutAll(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    await this.sessions.revokeAll(undefined, { userId: principal.userId, reason: 'logout_all' });
    this.tokens.cookies.clear(res);
  }

  @Post('forgot-password')
  @Public()
  @HttpCode(202)
  async forgot(
    @Body(new ZodPipe(emailBody)) body: z.infer<typeof emailBody>,
    @Client() client: ClientContext,
  ): Promise<{ status: 'accepted' }> {
    await this.recovery.forgotPassword(body.email, client);
    return { status: 'accepted' };
  }

  @Post('reset-password')
  @Public()
  @HttpCode(204)
  async reset(
    @Body(new ZodPipe(resetPasswordBody)) body: z.infer<typeof resetPasswordBody>,
    @Client() client: ClientContext,
  ): Promise<void> {
    await withProblemMapping('new_password', () =>
      this.recovery.resetPassword({ token: body.token, newPassword: body.new_password }, client),
    );
  }

  @Post('change-password')
  @Authenticated()
  @HttpCode(204)
  async changePassword(
    @Body(new ZodPipe(changePasswordBody)) body: z.infer<typeof changePasswordBody>,
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientContext,
  ): Promise<void> {
    await withProblemMapping('new_password', () =>
      this.recovery.changePassword(
        {
          userId: principal.userId,
          sessionId: principal.sessionId,
          currentPassword: body.current_password,
          newPassword: body.new_password,
        },
        client,
      ),
    );
  }

  @Get('me')
  @Authenticated()
  async me(
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<MeResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return toMeResponse(await this.profiles.me(principal.userId));
  }
}
