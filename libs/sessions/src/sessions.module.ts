import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { TokensModule } from '@identity/tokens';
import { IpHasher } from './ip-hasher';
import { SessionDenylist } from './session-denylist';
import { SessionPurgeJob } from './session-purge.job';
import { SessionRefreshService } from './session-refresh.service';
import { SessionRevocationService } from './session-revocation.service';
import { SessionRevocationSourceModule } from './session-revocation.source';
import { SessionTokenIssuer } from './session-token.issuer';
import { SessionRepository } from './session.repository';
import { SessionService } from './session.service';

/**
 * Sessions and refresh-token families: open, rotate with reuse detection, list, revoke, and
 * the purge of dead families. Needs, from global modules: `ConfigModule.forRoot`,
 * `DatabaseModule.forRoot`, `KvModule` (the access-token denylist) and `AuditModule` (the `EventBus`).
 * Binds, globally, the tokens context's `RevocationSource` to the sessions table, so the
 * access denylist is backed by Postgres.
 */
@Module({
  imports: [TokensModule, AccessModule, SessionRevocationSourceModule],
  providers: [
    SessionRepository,
    IpHasher,
    SessionDenylist,
    SessionTokenIssuer,
    SessionRefreshService,
    SessionRevocationService,
    SessionService,
    SessionPurgeJob,
  ],
  exports: [SessionService, IpHasher, SessionPurgeJob],
})
export class SessionsModule {}
