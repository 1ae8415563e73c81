import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { type AppConfig, ConfigModule } from '@identity/config';
import { DatabaseModule, type EntityList } from '@identity/database';
import { KvModule } from '@identity/kv';
import { migrations } from '../../../migrations';
import { loggerParams } from './bootstrap/logging';
import { AccessGuard } from './http/auth/access.guard';
import { HttpMetrics } from './http/ops/http-metrics';
import { OpsController } from './http/ops/ops.controller';
import { Readiness } from './http/ops/readiness';
import { ProblemDetailsFilter } from './http/problem/problem-details.filter';

/** Every TypeORM entity of every lib, handed to the one DataSource. */
const ENTITIES: EntityList = [];

export interface AppModuleOptions {
  /** Where logs go (tests capture them); default stdout. */
  logStream?: DestinationStream;
}

/** The identity deployable: one module tree for REST, gRPC and socket.io. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, options.logStream)),
        DatabaseModule.forRoot({ entities: ENTITIES, migrations }),
        KvModule.forRoot({ redisUrl: config.redis.url, keyPrefix: config.redis.keyPrefix }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [OpsController],
      providers: [
        HttpMetrics,
        Readiness,
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }
}
