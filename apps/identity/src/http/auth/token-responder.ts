import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { type AppConfig, InjectConfig } from '@identity/config';
import type { TokenPair } from '@identity/sessions';
import { AuthCookies, wantsCookies } from './auth-cookies';
import { CsrfTokens } from './csrf-tokens';

/** The token pair as API.md puts it on the wire (cookie mode leaves the two tokens out). */
export interface TokenPairBody {
  access_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_expires_in: number;
  session_id: string;
}

/**
 * Hands a token pair to the client: in the body, or, for `X-Auth-Transport: cookie`, as the
 * access/refresh/CSRF cookies. Either way the response must not be cached.
 */
@Injectable()
export class TokenResponder {
  readonly cookies: AuthCookies;

  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly csrf: CsrfTokens,
  ) {
    this.cookies = new AuthCookies(config);
  }

  send(req: Request, res: Response, pair: TokenPair): TokenPairBody {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    const body: TokenPairBody = {
      token_type: pair.tokenType,
      expires_in: pair.expiresIn,
      refresh_expires_in: pair.refreshExpiresIn,
      session_id: pair.sessionId,
    };
    if (!wantsCookies(req)) {
      return { access_token: pair.accessToken, refresh_token: pair.refreshToken, ...body };
    }
    this.cookies.set(res, {
      access: pair.accessToken,
      accessTtl: pair.expiresIn,
      refresh: pair.refreshToken,
      refreshTtl: pair.refreshExpiresIn,
      csrf: this.csrf.issue(pair.sessionId),
    });
    return body;
  }
}
