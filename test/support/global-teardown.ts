import { rmSync } from 'node:fs';
import { testBuildDir } from './process';
import { TEST_DB_PREFIX, testRunId, withAdminClient } from './database';

/** Drops every database this run created. */
export default async function globalTeardown(): Promise<void> {
  await withAdminClient(async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DB_PREFIX}${testRunId()}_%`],
    );
    for (const { datname } of rows)
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
  rmSync(testBuildDir(), { recursive: true, force: true });
}
