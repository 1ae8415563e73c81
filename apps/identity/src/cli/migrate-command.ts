import type { AppConfig } from '@identity/config';
import {
  createDataSource,
  migrationStatus,
  runMigrations,
  startEmbeddedPostgres,
} from '@identity/database';
import { migrations } from '../../../../migrations';
import { type CliIo, EXIT_FAILED, EXIT_OK } from './cli-command';

/**
 * `migrate up|status` (and `migrate.js`, `--revert`): on its own DataSource, without booting
 * the app, so it also runs where the app would refuse to start for another reason, and a
 * Deployment with `DATABASE_MIGRATIONS_RUN=false` can leave migrations to a Job.
 * `status` exits 1 while a migration is pending (a deploy step can wait on it).
 */
export async function runMigrate(
  action: 'up' | 'status' | 'revert',
  config: AppConfig,
  io: CliIo,
): Promise<number> {
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres(config.database.dataDir);
  const ds = createDataSource({
    url: embedded?.url ?? config.database.url ?? '',
    // Two: on Postgres, one connection holds the migration lock while the other migrates.
    poolSize: embedded ? 1 : 2,
    migrations,
    applicationName: 'identity-migrate',
  });
  await ds.initialize();
  try {
    if (action === 'revert') {
      await ds.undoLastMigration({ transaction: 'each' });
      io.out('reverted the last migration');
      return EXIT_OK;
    }
    if (action === 'up') {
      const ran = await runMigrations(ds, !embedded);
      io.out(ran.length ? `applied: ${ran.join(', ')}` : 'schema is up to date');
      return EXIT_OK;
    }
    const { applied, pending } = await migrationStatus(ds);
    for (const name of applied) io.out(`applied  ${name}`);
    for (const name of pending) io.out(`pending  ${name}`);
    io.out(
      pending.length
        ? `${pending.length} migration(s) pending: run "migrate up"`
        : `schema is up to date (${applied.length} migrations applied)`,
    );
    return pending.length ? EXIT_FAILED : EXIT_OK;
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}
