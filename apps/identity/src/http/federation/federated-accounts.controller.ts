import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { FederatedExchange, FederationProviders, IdentityLinks } from '@identity/federation';
import { assertUnreachable } from '@identity/kernel';
import type { ClientContext } from '@identity/sessions';
import type { Principal } from '@identity/tokens';
import { Client, CurrentPrincipal } from '../auth/principal';
import { Authenticated, Public } from '../auth/route-access.decorators';
import { TokenResponder, type TokenPairBody } from '../auth/token-responder';
import { type MfaRequiredResponse, toMfaRequiredResponse } from '../controllers/mfa.mappers';
import { ProblemException } from '../problem/problem';
import { exchangeBody, linkBody, PROVIDER_NAME } from '../validation/federation.schemas';
import { ZodPipe } from '../validation/zod-body.pipe';
import {
  type IdentityResponse,
  type LinkResponse,
  linkRequiredProblem,
  type ProvidersResponse,
  toIdentityResponse,
  toLinkResponse,
  toProvidersResponse,
} from './federation.mappers';

/**
 * After the provider round trip (API.md "Federated sign-in"): the exchange of the callback's
 * code, linking an identity from a session, and the account's linked identities. Only maps:
 * the rules are `FederatedExchange`'s and `IdentityLinks`'.
 */
@Controller('auth')
export class FederatedAccountsController {
  constructor(
    private readonly providers: FederationProviders,
    private readonly federatedExchange: FederatedExchange,
    private readonly links: IdentityLinks,
    private readonly tokens: TokenResponder,
  ) {}

  /** The providers that are on, so a sign-in page shows only buttons that work. */
  @Get('oidc')
  @Public()
  listProviders(): ProvidersResponse {
    return toProvidersResponse(this.providers.names);
  }

  @Post('oidc/exchange')
  @Public()
  @HttpCode(200)
  async exchange(
    @Body(new ZodPipe(exchangeBody)) body: z.infer<typeof exchangeBody>,
    @Client() client: ClientContext,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TokenPairBody | MfaRequiredResponse> {
    const result = await this.federatedExchange.exchange(body.code, client);
    switch (result.kind) {
      case 'tokens':
        return this.tokens.send(req, res, result.pair);
      case 'mfa_required':
        res.setHeader('Cache-Control', 'no-store');
        return toMfaRequiredResponse(result);
      case 'link_required':
        throw linkRequiredProblem(result);
      default:
        return assertUnreachable(result, 'exchange result');
    }
  }

  @Post('oidc/link')
  @Authenticated()
  @HttpCode(200)
  async link(
    @CurrentPrincipal() principal: Principal,
    @Body(new ZodPipe(linkBody)) body: z.infer<typeof linkBody>,
    @Client() client: ClientContext,
  ): Promise<LinkResponse> {
    const identity = await this.links.link(
      { userId: principal.userId, amr: principal.amr, client },
      body.link_token,
    );
    return toLinkResponse(identity);
  }

  @Get('identities')
  @Authenticated()
  async identities(@CurrentPrincipal() principal: Principal): Promise<IdentityResponse[]> {
    return (await this.links.list(principal.userId)).map(toIdentityResponse);
  }

  @Delete('identities/:provider')
  @Authenticated()
  @HttpCode(204)
  async unlink(
    @CurrentPrincipal() principal: Principal,
    @Param('provider') provider: string,
    @Client() client: ClientContext,
  ): Promise<void> {
    if (!PROVIDER_NAME.test(provider))
      throw new ProblemException(404, 'not_found', 'No identity of this provider is linked.');
    await this.links.unlink({ userId: principal.userId, amr: principal.amr, client }, provider);
  }
}
