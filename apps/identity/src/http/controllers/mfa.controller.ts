import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { TotpEnrolmentService } from '@identity/mfa';
import { MfaStep } from '@identity/signin';
import type { ClientContext } from '@identity/sessions';
import type { Principal } from '@identity/tokens';
import { Client, CurrentPrincipal } from '../auth/principal';
import { Authenticated, Public } from '../auth/route-access.decorators';
import { TokenResponder, type TokenPairBody } from '../auth/token-responder';
import { ZodPipe } from '../validation/zod-body.pipe';
import {
  mfaVerifyBody,
  recoveryCodesBody,
  totpConfirmBody,
  totpDisableBody,
  totpSetupBody,
} from '../validation/mfa.schemas';
import {
  type RecoveryCodesResponse,
  toSecondFactorProof,
  toMfaStepInput,
  toRecoveryCodesResponse,
  toTotpSetupResponse,
  type TotpSetupResponse,
} from './mfa.mappers';

/**
 * `/auth/mfa/*`: the second step of login, and TOTP enrolment of the signed-in user. Answers
 * that carry secrets (setup, recovery codes, tokens) are never cached.
 */
@Controller('auth/mfa')
export class MfaController {
  constructor(
    private readonly mfaStep: MfaStep,
    private readonly enrolment: TotpEnrolmentService,
    private readonly tokens: TokenResponder,
  ) {}

  /**
   * Public: the mfa_token is the credential. Not cookie-authenticated, so no CSRF header; in
   * cookie mode (`X-Auth-Transport: cookie`) the tokens come back as cookies, as at login.
   */
  @Post('verify')
  @Public()
  @HttpCode(200)
  async verify(
    @Body(new ZodPipe(mfaVerifyBody)) body: z.infer<typeof mfaVerifyBody>,
    @Client() client: ClientContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenPairBody> {
    const { pair } = await this.mfaStep.verify(toMfaStepInput(body), client);
    return this.tokens.send(req, res, pair);
  }

  @Post('totp/setup')
  @Authenticated()
  @HttpCode(200)
  async setup(
    @Body(new ZodPipe(totpSetupBody)) body: z.infer<typeof totpSetupBody>,
    @CurrentPrincipal() principal: Principal,
    @Client() client: ClientContext,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TotpSetupResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return toTotpSetupResponse(
      await this.enrolment.setup({ userId: principal.userId, password: body.password, client }),
    );
  }

  @Post('totp/confirm')
  @Authenticated()
  @HttpCode(200)
  async confirm(
    @Body(new ZodPipe(totpConfirmBody)) body: z.infer<typeof totpConfirmBody>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RecoveryCodesResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return toRecoveryCodesResponse(
      await this.enrolment.confirm({ userId: principal.userId, code: body.code }),
    );
  }

  @Post('totp/disable')
  @Authenticated()
  @HttpCode(204)
  async disable(
    @Body(new ZodPipe(totpDisableBody)) body: z.infer<typeof totpDisableBody>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.enrolment.disable({ userId: principal.userId, proof: toSecondFactorProof(body) });
  }

  @Post('recovery-codes')
  @Authenticated()
  @HttpCode(200)
  async regenerateRecoveryCodes(
    @Body(new ZodPipe(recoveryCodesBody)) body: z.infer<typeof recoveryCodesBody>,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<RecoveryCodesResponse> {
    res.setHeader('Cache-Control', 'no-store');
    return toRecoveryCodesResponse(
      await this.enrolment.regenerateRecoveryCodes({
        userId: principal.userId,
        proof: { code: body.code },
      }),
    );
  }
}
