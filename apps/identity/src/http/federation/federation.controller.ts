import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { type AppConfig, InjectConfig } from '@identity/config';
import { type CallbackParams, FederatedSignIn, SIGN_IN_INTENTS } from '@identity/federation';
import type { ClientContext } from '@identity/sessions';
import { Authenticator } from '@identity/tokens';
import { AuthCookies, bearerToken } from '../auth/auth-cookies';
import { Client } from '../auth/principal';
import { Public } from '../auth/route-access.decorators';
import { ProblemException } from '../problem/problem';
import { ZodPipe } from '../validation/zod-body.pipe';
import { OidcStateCookie } from './oidc-state-cookie';
import { redirectErrorOf, withFederationProblems, withParam } from './federation-outcomes';

/** `GET /auth/oidc/:provider`'s query (exported for the OpenAPI document). */
export const startQuery = z.object({
  redirect_to: z.string().max(2048).optional(),
  intent: z.enum(SIGN_IN_INTENTS as ['login', 'link']).default('login'),
});

/** A provider's answer: single-valued parameters only (a repeated `state` or `code` is dropped). */
function callbackParams(query: unknown): CallbackParams {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries((query ?? {}) as Record<string, unknown>))
    if (typeof value === 'string') params[key] = value;
  return params;
}

/**
 * "Continue with Google / GitHub / <OIDC_NAME>" (API.md "Federated sign-in"). Only maps: the
 * round trip is `FederatedSignIn`'s, the sign-in itself its `FederatedCallbackHandler`'s.
 */
@Controller('auth/oidc')
export class FederationController {
  private readonly stateCookie: OidcStateCookie;
  private readonly authCookies: AuthCookies;

  constructor(
    private readonly signIn: FederatedSignIn,
    private readonly authenticator: Authenticator,
    @InjectConfig() config: AppConfig,
  ) {
    this.stateCookie = new OidcStateCookie(config);
    this.authCookies = new AuthCookies(config);
  }

  /**
   * Public for signing in; `intent=link` needs the session (the access cookie, as a browser
   * navigation carries it, or a Bearer token) of the account the identity is to be linked to.
   */
  @Get(':provider')
  @Public()
  async start(
    @Param('provider') provider: string,
    @Query() query: unknown,
    @Client() client: ClientContext,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { redirect_to: redirectTo, intent } = new ZodPipe(startQuery).transform(query);
    const accountId = intent === 'link' ? await this.linkingAccount(req) : undefined;
    const outcome = await withFederationProblems(() =>
      this.signIn.start({ provider, redirectTo, intent, accountId, client }),
    );
    res.setHeader('Cache-Control', 'no-store');
    if (outcome.ok) {
      this.stateCookie.set(res, outcome.stateCookie);
      res.redirect(302, outcome.location);
    } else {
      res.redirect(
        302,
        withParam(outcome.redirectTo, 'error', redirectErrorOf(outcome.error.code)),
      );
    }
  }

  @Get(':provider/callback')
  @Public()
  async callback(
    @Param('provider') provider: string,
    @Req() req: Request,
    @Client() client: ClientContext,
    @Res() res: Response,
  ): Promise<void> {
    const outcome = await withFederationProblems(() =>
      this.signIn.finish({
        provider,
        params: callbackParams(req.query),
        stateCookie: this.stateCookie.read(req),
        client,
      }),
    );
    this.stateCookie.clear(res);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(
      302,
      outcome.ok
        ? withParam(outcome.redirectTo, 'code', outcome.code)
        : withParam(outcome.redirectTo, 'error', redirectErrorOf(outcome.error.code)),
    );
  }

  /**
   * The account of the request's session. Linking is bound to it from the start, so a code
   * of this round trip can only ever offer the identity to this account.
   */
  private async linkingAccount(req: Request): Promise<string> {
    const token = bearerToken(req) ?? this.authCookies.read(req, 'access');
    const result = token ? await this.authenticator.authenticate(token) : undefined;
    if (!result?.ok)
      throw new ProblemException(401, 'unauthorized', 'Linking needs a signed-in session.', {
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    return result.principal.userId;
  }
}
