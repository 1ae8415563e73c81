export { Database, type Tx, type Execution } from './database';
export { DatabaseModule, DATABASE_MODE, type DatabaseMode } from './database.module';
export {
  createDataSource,
  runMigrations,
  migrationStatus,
  type MigrationClass,
  type MigrationStatus,
} from './data-source';
export { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';
export { isDatabaseUnavailable, isForeignKeyViolation, isUniqueViolation } from './pg-errors';
