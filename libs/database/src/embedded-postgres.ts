import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** A running embedded Postgres, reachable by `pg` on loopback like a real server. */
export interface EmbeddedPostgres {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * Starts PGlite (real Postgres compiled to WASM) persisted under `dataDir`, and serves it on
 * a loopback port through pglite-socket, so TypeORM's ordinary `pg` driver, the migrations
 * and every query run unchanged. Chosen over an in-process TypeORM driver because the same
 * code path then serves the embedded default and production.
 *
 * PGlite is a single Postgres session: the caller must use ONE pooled connection, or the
 * statements of concurrent transactions would interleave in that one session.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const dir = resolve(dataDir, 'pglite');
  await mkdir(dir, { recursive: true });
  const db = await PGlite.create(dir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 2 });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    dataDir: dir,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
