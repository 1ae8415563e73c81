import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '@identity/config';
import { createDataSource, runMigrations, type MigrationClass } from './data-source';
import { Database } from './database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

const EMBEDDED = Symbol('EMBEDDED_POSTGRES');

/** Where the database runs, for the start-up banner. */
export interface DatabaseMode {
  kind: 'postgres' | 'embedded';
  /** For embedded: the data directory. For postgres: host:port/db, without credentials. */
  location: string;
}
export const DATABASE_MODE = Symbol('DATABASE_MODE');

@Injectable()
class DatabaseLifecycle implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EMBEDDED) private readonly embedded: EmbeddedPostgres | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    if (this.embedded) await this.embedded.stop();
    this.logger.log('database closed');
  }
}

function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

/**
 * Postgres for the whole app: a real server when DATABASE_URL is set, else embedded PGlite
 * under DATA_DIR (same migrations, same driver). Migrations run at boot unless
 * DATABASE_MIGRATIONS_RUN=false.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(options: { migrations: MigrationClass[] }): DynamicModule {
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: EMBEDDED,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            config.database.url ? null : startEmbeddedPostgres(config.database.dataDir),
        },
        {
          provide: DATABASE_MODE,
          inject: [APP_CONFIG, EMBEDDED],
          useFactory: (config: AppConfig, embedded: EmbeddedPostgres | null): DatabaseMode =>
            embedded
              ? { kind: 'embedded', location: embedded.dataDir }
              : { kind: 'postgres', location: describeUrl(config.database.url ?? '') },
        },
        {
          provide: DataSource,
          inject: [APP_CONFIG, EMBEDDED],
          useFactory: async (config: AppConfig, embedded: EmbeddedPostgres | null) => {
            const ds = createDataSource({
              url: embedded?.url ?? config.database.url ?? '',
              // PGlite is one Postgres session: one connection, or transactions would interleave.
              poolSize: embedded ? 1 : config.database.poolSize,
              migrations: options.migrations,
            });
            await ds.initialize();
            if (config.database.migrationsRun) {
              const ran = await runMigrations(ds, !embedded);
              if (ran.length > 0)
                new Logger('Database').log(`applied migrations: ${ran.join(', ')}`);
            }
            return ds;
          },
        },
        Database,
        DatabaseLifecycle,
      ],
      exports: [DataSource, Database, DATABASE_MODE],
    };
  }
}
