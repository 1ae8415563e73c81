import 'reflect-metadata';
import { ConfigError, loadConfig } from '@identity/config';
import { createDataSource, runMigrations, startEmbeddedPostgres } from '@identity/database';
import { migrations } from '../../../migrations';

/**
 * `npm run migrate`: applies pending migrations and exits, for deployments that run them
 * as a separate step (`DATABASE_MIGRATIONS_RUN=false` on the app). `--revert` undoes the last one.
 */
async function migrate(): Promise<void> {
  // eslint-disable-next-line no-restricted-properties
  const config = loadConfig(process.env);
  const embedded = config.database.url
    ? null
    : await startEmbeddedPostgres(config.database.dataDir);
  const ds = createDataSource({
    url: embedded?.url ?? config.database.url ?? '',
    poolSize: 1,
    migrations,
    applicationName: 'identity-migrate',
  });
  await ds.initialize();
  try {
    if (process.argv.includes('--revert')) {
      await ds.undoLastMigration({ transaction: 'each' });
      process.stdout.write('reverted the last migration\n');
    } else {
      const ran = await runMigrations(ds, !embedded);
      process.stdout.write(ran.length ? `applied: ${ran.join(', ')}\n` : 'schema is up to date\n');
    }
  } finally {
    await ds.destroy();
    await embedded?.stop();
  }
}

migrate().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
  process.exit(1);
});
