import { Module } from '@nestjs/common';
import { AccessDenylist } from './access-denylist';
import { AccessTokenService } from './access-token.service';
import { Authenticator } from './authenticator';
import { SigningKeyRepository } from './signing-key.repository';
import { SigningKeyService } from './signing-key.service';

/**
 * Signing keys, access tokens, the denylist and `authenticate()`. Needs, from global modules:
 * `ConfigModule.forRoot`, `DatabaseModule.forRoot`, `KvModule`
 * (the `keys.changed` channel and the denylist) and `AuditModule` (the `EventBus`).
 */
@Module({
  providers: [
    SigningKeyRepository,
    SigningKeyService,
    AccessTokenService,
    AccessDenylist,
    Authenticator,
  ],
  exports: [SigningKeyService, AccessTokenService, AccessDenylist, Authenticator],
})
export class TokensModule {}
