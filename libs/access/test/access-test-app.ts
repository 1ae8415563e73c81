import { Test, type TestingModule } from '@nestjs/testing';
import { AuditModule, EventBus, type IdentityEvent } from '@identity/audit';
import { ConfigModule, loadConfig } from '@identity/config';
import { Database, DatabaseModule } from '@identity/database';
import { KvModule } from '@identity/kv';
import { TEST_REDIS_URL, UserFactory } from '@identity/testing';
import { AccessModule } from '../src/access.module';
import { AccessService } from '../src/access.service';
import { RoleService } from '../src/role.service';
import { TokenIntrospection } from '../src/token-introspection.service';
import { type Clock, ClockModule } from '@identity/kernel';

/** One booted instance of the access context, wired as the app wires it. */
export interface AccessTestApp {
  module: TestingModule;
  access: AccessService;
  roles: RoleService;
  introspection: TokenIntrospection;
  database: Database;
  /** Every committed event, in order. */
  events: IdentityEvent[];
  /** An account without roles, made through the real repositories. */
  newUser(status?: 'active' | 'locked'): Promise<string>;
  close(): Promise<void>;
}

/**
 * Config + Database + Kv (Redis, under `keyPrefix`) + Audit + Access. Two apps given one
 * database and one prefix behave as two instances of the platform.
 */
export async function startAccessApp(options: {
  databaseUrl: string;
  keyPrefix: string;
  clock?: Clock;
}): Promise<AccessTestApp> {
  const module = await Test.createTestingModule({
    imports: [
      ClockModule.forRoot(options.clock),
      ConfigModule.forRoot(
        loadConfig({
          NODE_ENV: 'test',
          DATABASE_URL: options.databaseUrl,
          DATABASE_MIGRATIONS_RUN: 'false',
          DATABASE_POOL_SIZE: '4',
        }),
      ),
      DatabaseModule.forRoot({
        migrations: [],
      }),
      KvModule.forRoot({ redisUrl: TEST_REDIS_URL, keyPrefix: options.keyPrefix }),
      AuditModule,
      AccessModule,
    ],
  }).compile();
  const events: IdentityEvent[] = [];
  module.get(EventBus).onCommitted('*', (event) => {
    events.push(event);
  });
  await module.init();
  const database = module.get(Database);
  return {
    module,
    access: module.get(AccessService),
    roles: module.get(RoleService),
    introspection: module.get(TokenIntrospection),
    database,
    events,
    async newUser(status = 'active') {
      return (await new UserFactory(module).create({ password: null, roles: [], status })).id;
    },
    close: () => module.close(),
  };
}
