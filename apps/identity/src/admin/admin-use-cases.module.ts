import { Module } from '@nestjs/common';
import { AccessModule } from '@identity/access';
import { MfaModule } from '@identity/mfa';
import { SessionsModule } from '@identity/sessions';
import { UsersModule } from '@identity/users';
import { AdminUsersService } from './admin-users.service';

/**
 * The admin use cases, transport-neutral: the HTTP admin API and the CLI both call them.
 * Needs the app's global modules (config, database, kv, audit).
 */
@Module({
  imports: [UsersModule, SessionsModule, AccessModule, MfaModule],
  providers: [AdminUsersService],
  exports: [AdminUsersService],
})
export class AdminUseCasesModule {}
