import { randomBytes } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
// jest's global setup runs outside the test module system (no @identity/* mapping).
// eslint-disable-next-line no-restricted-imports
import { createDataSource, runMigrations } from '../../libs/database/src/data-source';
import { migrations } from '../../migrations';
import { databaseUrl, templateDb, TEST_DB_PREFIX, withAdminClient } from './database';
import { buildForTests } from './process';

const STALE_AFTER_MS = 3 * 60 * 60 * 1000;

/**
 * Once per jest run: pick this run's id, drop databases that earlier runs left behind hours
 * ago, and build the migrated template that every test file clones into a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  process.env.IDENTITY_TEST_RUN = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  await withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DB_PREFIX}%`],
    );
    for (const { datname } of rows) {
      const started = parseInt(
        datname.slice(TEST_DB_PREFIX.length).split('_')[0]!.slice(0, -4),
        36,
      );
      if (Number.isNaN(started) || Date.now() - started > STALE_AFTER_MS) {
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
    await c.query(`CREATE DATABASE "${templateDb()}"`);
  });
  const ds = createDataSource({
    url: databaseUrl(templateDb()),
    poolSize: 1,
    migrations,
  });
  await ds.initialize();
  try {
    await runMigrations(ds, false);
  } finally {
    await ds.destroy();
  }
  const builds = join(__dirname, '../../.test-build');
  for (const entry of safeReaddir(builds)) {
    const started = parseInt(entry.slice(0, -4), 36);
    if (Number.isNaN(started) || Date.now() - started > STALE_AFTER_MS) {
      rmSync(join(builds, entry), { recursive: true, force: true });
    }
  }
  // Tests that run the app as a real process (signals, exit codes) use this build.
  buildForTests();
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
