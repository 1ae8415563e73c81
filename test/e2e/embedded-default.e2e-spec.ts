/**
 * `npm start` on a fresh machine, no configuration: the app runs on embedded PGlite (real
 * Postgres in WASM, persisted under DATA_DIR) and the in-memory kv, applies the migrations
 * itself, is ready, and keeps its data across a restart. Run as a real process, as a user
 * would (PGlite loads its WASM with a dynamic import that jest's module system cannot host).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@identity/testing';
import { spawnIdentity, waitForHttp } from '../support/process';

describe('embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'identity-embedded-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const boot = async () => {
    const port = await freePort();
    // Nothing but ports and the data directory: no database, no Redis, no secrets.
    const p = spawnIdentity({
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      DATA_DIR: dataDir,
    });
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/healthz`, p, 60_000);
    return { p, url };
  };

  it('boots with no configuration, is ready, and keeps its data across a restart', async () => {
    const first = await boot();
    try {
      expect(first.p.stdout()).toMatch(/database: embedded PGlite/);
      expect(first.p.stdout()).toMatch(/kv: in-memory/);
      expect(first.p.stdout()).toMatch(/applied migrations: InitialSchema/);
      const ready = await fetch(`${first.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({
        status: 'ready',
        checks: { postgres: 'up', redis: 'in_memory', denylist: 'up' },
      });
    } finally {
      first.p.child.kill('SIGTERM');
      expect(await first.p.exited).toBe(0);
    }

    const second = await boot();
    try {
      // The migrations table survived: nothing to apply the second time.
      expect(second.p.stdout()).not.toMatch(/applied migrations/);
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
    } finally {
      second.p.child.kill('SIGTERM');
      expect(await second.p.exited).toBe(0);
    }
  }, 120_000);
});
