import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The local Postgres the tests use (loopback only). */
export const TEST_PG_ADMIN_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
/** Migrated once per jest run by global-setup; each test file clones it. */
export const TEMPLATE_DB = 'identity_test_template';
export const TEST_DB_PREFIX = 'identity_t_';

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
  const name = `${TEST_DB_PREFIX}${safe}_${randomBytes(4).toString('hex')}`;
  const template = opts.empty ? 'template0' : TEMPLATE_DB;
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
