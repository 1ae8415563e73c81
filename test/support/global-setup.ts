import { createDataSource, runMigrations } from '../../libs/database/src/data-source';
import { migrations } from '../../migrations';
import { databaseUrl, TEMPLATE_DB, TEST_DB_PREFIX, withAdminClient } from './database';

/**
 * Once per jest run: drop databases left by an interrupted run, then build the migrated
 * template that every test file clones into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  await withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`${TEST_DB_PREFIX}%`, TEMPLATE_DB],
    );
    for (const { datname } of rows)
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${TEMPLATE_DB}"`);
  });
  const ds = createDataSource({
    url: databaseUrl(TEMPLATE_DB),
    poolSize: 1,
    entities: [],
    migrations,
  });
  await ds.initialize();
  try {
    await runMigrations(ds, false);
  } finally {
    await ds.destroy();
  }
}
