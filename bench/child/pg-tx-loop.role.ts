import { Pool } from 'pg';
import type { ChildFactory } from './main';
import { measureLoop } from './loop-run';
import type { LoopRun } from './protocol';

export interface PgTxArgs {
  url: string;
  /** The app's pool size (DATABASE_POOL_SIZE), so both queue on as many connections. */
  poolSize: number;
}

export interface PgTxRun extends LoopRun {
  /** Rows the transactions spread over (the refresh scenario's families). */
  rows: number;
}

const SCHEMA = `
  CREATE SCHEMA IF NOT EXISTS bench_ceiling;
  CREATE TABLE IF NOT EXISTS bench_ceiling.families (
    id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, touched_at timestamptz);
  CREATE TABLE IF NOT EXISTS bench_ceiling.tokens (
    id bigserial PRIMARY KEY, family_id int NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`;

/**
 * Ceiling of `refresh`: the smallest row-locked rotation, one transaction of `SELECT ... FOR
 * UPDATE` + `UPDATE` + `INSERT` on one row, on the same Postgres, in a schema of its own in the
 * bench database (dropped with it).
 */
export const startPgTxLoop: ChildFactory = (raw, meter) => {
  const args = raw as PgTxArgs;
  const pool = new Pool({ connectionString: args.url, max: args.poolSize });
  return Promise.resolve({
    info: {},
    commands: {
      run: async (input) => {
        const run = input as PgTxRun;
        await pool.query(SCHEMA);
        await pool.query(
          `INSERT INTO bench_ceiling.families (id) SELECT g FROM generate_series(1, $1) g
           ON CONFLICT DO NOTHING`,
          [run.rows],
        );
        return measureLoop(meter, run, async (i) => {
          const id = (i % run.rows) + 1;
          const client = await pool.connect();
          try {
            await client.query('BEGIN');
            await client.query('SELECT n FROM bench_ceiling.families WHERE id = $1 FOR UPDATE', [
              id,
            ]);
            await client.query(
              'UPDATE bench_ceiling.families SET n = n + 1, touched_at = now() WHERE id = $1',
              [id],
            );
            await client.query('INSERT INTO bench_ceiling.tokens (family_id) VALUES ($1)', [id]);
            await client.query('COMMIT');
          } catch (err) {
            await client.query('ROLLBACK').catch(() => undefined);
            throw err;
          } finally {
            client.release();
          }
        });
      },
    },
    close: () => pool.end(),
  });
};
