import { Module } from '@nestjs/common';
import { UserRepository } from './user.repository';

/**
 * Accounts at the bottom of the graph: the `users` table and the rules about an account's
 * status and email. Needs `DatabaseModule.forRoot` (global).
 */
@Module({
  providers: [UserRepository],
  exports: [UserRepository],
})
export class UsersModule {}
