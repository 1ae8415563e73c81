import { Controller, Get, Header } from '@nestjs/common';
import { type JsonWebKeySet, SigningKeyService } from '@identity/tokens';
import { Public } from '../auth/route-access.decorators';

/**
 * The public keys that verify access tokens. Cached briefly by clients: the next key is
 * published KEY_PUBLISH_AHEAD (default 1 h) before it signs, far longer than this max-age.
 */
@Controller('.well-known')
@Public()
export class JwksController {
  constructor(private readonly keys: SigningKeyService) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  jwks(): JsonWebKeySet {
    return this.keys.jwks();
  }
}
