import { Client } from 'pg';

const PREFIX = 'identity_bench_';
/** A bench database older than this was left behind by a crashed run. */
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, empty database `identity_bench_<ms>_<pid>` on the admin URL's server; the first
 * app instance migrates it at boot (as production does). Bench databases of crashed runs
 * older than six hours are dropped first.
 */
export async function createBenchDatabase(adminUrl: string): Promise<BenchDatabase> {
  const name = `${PREFIX}${Date.now()}_${process.pid}`;
  await withAdmin(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE datname LIKE $1',
      [`${PREFIX}%`],
    );
    for (const { datname } of rows) {
      const started = Number(datname.slice(PREFIX.length).split('_')[0]);
      if (Number.isFinite(started) && Date.now() - started > STALE_AFTER_MS) {
        await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    }
    await c.query(`CREATE DATABASE "${name}"`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () =>
      withAdmin(adminUrl, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      }),
  };
}

/** Counts refresh tokens that were rotated more than once (two children of one parent). */
export async function countDoubleRotations(url: string): Promise<number> {
  return withAdmin(url, async (c) => {
    const { rows } = await c.query<{ n: string }>(
      `SELECT count(*) AS n FROM (
         SELECT parent_id FROM refresh_tokens WHERE parent_id IS NOT NULL
          GROUP BY parent_id HAVING count(*) > 1) twice`,
    );
    return Number(rows[0]?.n ?? 0);
  });
}
