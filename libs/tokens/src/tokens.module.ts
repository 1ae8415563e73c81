import { Module } from '@nestjs/common';
import { AccessDenylist } from './access-denylist';
import { AccessTokenService } from './access-token.service';
import { Authenticator } from './authenticator';
import { DenylistRecovery } from './denylist-recovery';
import { SigningKeyRepository } from './signing-key.repository';
import { SigningKeyService } from './signing-key.service';

/**
 * Signing keys, access tokens, the denylist and `authenticate()`. Needs, from global modules:
 * `ConfigModule.forRoot`, `DatabaseModule.forRoot`, `KvModule`
 * (the `keys.changed` channel and the denylist) and `AuditModule` (the `EventBus`). When a
 * global module provides a `RevocationSource` (the sessions context does), the denylist is
 * backed by Postgres (see `AccessDenylist`).
 */
@Module({
  providers: [
    SigningKeyRepository,
    SigningKeyService,
    AccessTokenService,
    AccessDenylist,
    DenylistRecovery,
    Authenticator,
  ],
  exports: [SigningKeyService, AccessTokenService, AccessDenylist, DenylistRecovery, Authenticator],
})
export class TokensModule {}
