import { DataSource, MigrationExecutor } from 'typeorm';

/** A migration class as TypeORM takes it. */
export type MigrationClass = new () => object;

export interface DataSourceOptions {
  url: string;
  poolSize: number;
  migrations: MigrationClass[];
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

/** A TypeORM DataSource over `pg`; the schema comes from migrations only (`synchronize: false`). */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    // No entities: repositories write SQL through `Database`.
    entities: [],
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName ?? 'identity',
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
    },
  });
}

/** Arbitrary constant: the advisory lock that keeps two booting instances from migrating at once. */
const MIGRATION_LOCK = 7_413_902_551;

/**
 * Applies pending migrations, each in its own transaction. With `lock`, a Postgres advisory
 * lock serialises concurrent boots of several instances (not used on the embedded database,
 * which is single-instance and has a single connection).
 */
export async function runMigrations(ds: DataSource, lock: boolean): Promise<string[]> {
  if (!lock) {
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** Which migrations the database has applied and which are still to run, oldest first. */
export interface MigrationStatus {
  applied: string[];
  pending: string[];
}

/** Reads the migration status of an initialised `ds` (for `cli migrate status`). */
export async function migrationStatus(ds: DataSource): Promise<MigrationStatus> {
  const executor = new MigrationExecutor(ds);
  // One after the other: each takes a connection, and the pool may have one.
  const applied = await executor.getExecutedMigrations();
  const pending = await executor.getPendingMigrations();
  return {
    applied: applied.sort((a, b) => a.timestamp - b.timestamp).map((m) => m.name),
    pending: pending.map((m) => m.name),
  };
}
