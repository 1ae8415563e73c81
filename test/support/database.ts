import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The local Postgres the tests use (loopback only). */
export const TEST_PG_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DB_PREFIX = 'identity_t_';

/**
 * Each jest run names its databases after its own run id (set by global-setup), so two runs
 * in one tree (several engineers, or a run beside CI) never drop each other's databases.
 * The id starts with the start time in base 36, so stale ones can be recognised by age.
 */
export function testRunId(): string {
  return process.env.IDENTITY_TEST_RUN ?? 'adhoc';
}

/** Migrated once per jest run by global-setup; each test file clones it. */
export function templateDb(): string {
  return `${TEST_DB_PREFIX}${testRunId()}_template`;
}

export function databaseUrl(name: string): string {
  const u = new URL(TEST_PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function withAdminClient<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A database of its own for one test file: a copy of the migrated template (fast), or an
 * empty one with `{ empty: true }` (for migration tests).
 */
export async function createTestDatabase(
  label: string,
  opts: { empty?: boolean } = {},
): Promise<TestDatabase> {
  const safe = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .slice(0, 30);
  const name = `${TEST_DB_PREFIX}${testRunId()}_${safe}_${randomBytes(4).toString('hex')}`;
  const template = opts.empty ? 'template0' : templateDb();
  await withAdminClient(async (c) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (e) {
        // Two files cloning the template at the same instant can collide; retry briefly.
        if (attempt >= 20 || !/being accessed by other users/.test(String(e))) throw e;
        await new Promise((r) => setTimeout(r, 100 + attempt * 50));
      }
    }
  });
  return {
    name,
    url: databaseUrl(name),
    drop: () =>
      withAdminClient(async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}
