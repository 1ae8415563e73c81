import { Controller, HttpCode, Post } from '@nestjs/common';
import { SigningKeyService } from '@identity/tokens';
import { AdminOnly } from './admin-access.decorator';

/** Signing keys, for administrators. */
@Controller('admin/keys')
@AdminOnly()
export class AdminKeysController {
  constructor(private readonly keys: SigningKeyService) {}

  /**
   * Emergency rotation: a new key signs at once; the old one stays in JWKS until its last
   * token has expired.
   */
  @Post('rotate')
  @HttpCode(200)
  async rotate(): Promise<{ kid: string }> {
    return { kid: await this.keys.rotate('manual') };
  }
}
