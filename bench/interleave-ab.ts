/**
 * `node dist/bench/interleave-ab.js <dirA> <dirB> [rounds=8] [burstSeconds=3] [path=/auth/me]`:
 * an A/B of one authenticated GET between two builds (two worktrees, each built with
 * `npm run bench` once), fine-grained enough for a shared machine. Both apps run at once, each
 * started by its own build's `AppFleet` on a database of its own; the load alternates between
 * them in short bursts (the order swapped every round, the first round a warm-up), so the
 * machine's other load falls on both alike. Prints each round and the medians of app CPU per
 * request (the app's own `process.cpuUsage`) and of requests/s.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type * as FleetModule from './lib/app-fleet';
import type * as DatabaseModule from './lib/bench-database';
import type * as LoadModule from './lib/http-load';
import type { SeededSession } from './child/seed-sessions';
import { deleteKeysWithPrefix } from './lib/redis-cleanup';

const PG = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONNECTIONS = 64;

interface Side {
  label: string;
  fleet: FleetModule.AppFleet;
  drop: () => Promise<void>;
  url: string;
  sessions: SeededSession[];
  httpLoad: typeof LoadModule.httpLoad;
}

async function boot(label: string, dir: string): Promise<Side> {
  const dist = join(resolve(dir), 'dist/bench');
  const fleetModule = (await import(join(dist, 'lib/app-fleet.js'))) as typeof FleetModule;
  const dbModule = (await import(join(dist, 'lib/bench-database.js'))) as typeof DatabaseModule;
  const loadModule = (await import(join(dist, 'lib/http-load.js'))) as typeof LoadModule;
  const db = await dbModule.createBenchDatabase(PG);
  const redisPrefix = `bench-ab-${label}:${Date.now().toString(36)}:`;
  const fleet = new fleetModule.AppFleet({
    databaseUrl: db.url,
    redisUrl: REDIS,
    redisPrefix,
    argon2: fleetModule.PRODUCTION_ARGON2,
    logLevel: 'info',
    logDir: mkdtempSync(join(tmpdir(), `identity-ab-${label}-`)),
  });
  const app = await fleet.start(label);
  const users = {
    prefix: `ab-${label}-${Date.now().toString(36)}-`,
    count: 100,
    password: 'correct horse battery staple 42',
  };
  await app.handle.request('seed.users', users, 600_000);
  const sessions = await app.handle.request<SeededSession[]>(
    'seed.sessions',
    { count: CONNECTIONS },
    600_000,
  );
  return {
    label,
    fleet,
    drop: async () => {
      await db.drop();
      await deleteKeysWithPrefix(REDIS, redisPrefix);
    },
    url: app.url,
    sessions,
    httpLoad: loadModule.httpLoad,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function main(): Promise<void> {
  const [dirA, dirB, roundsArg, burstArg, pathArg] = process.argv.slice(2);
  if (!dirA || !dirB)
    throw new Error('usage: interleave-ab.js <dirA> <dirB> [rounds] [burstS] [path]');
  const rounds = Number(roundsArg ?? 8);
  const burstS = Number(burstArg ?? 3);
  const path = pathArg ?? '/auth/me';
  const sides = [await boot('A', dirA), await boot('B', dirB)];
  const results = new Map<string, Array<{ cpuMs: number; rps: number }>>(
    sides.map((s) => [s.label, []]),
  );
  try {
    for (let round = 0; round <= rounds; round++) {
      for (const side of round % 2 ? [...sides].reverse() : sides) {
        const load = (durationS: number) =>
          side.httpLoad({
            url: side.url,
            connections: CONNECTIONS,
            durationS,
            requestsFor: (c) => [
              {
                method: 'GET',
                path,
                headers: { authorization: `Bearer ${side.sessions[c % CONNECTIONS]!.accessToken}` },
              },
            ],
          });
        await load(1);
        await side.fleet.resetUsage();
        const out = await load(burstS);
        const usage = await side.fleet.readUsage();
        const cpuMs = ((usage.cpuPercent / 100) * out.seconds * 1000) / Math.max(1, out.ok);
        if (round > 0) results.get(side.label)!.push({ cpuMs, rps: out.throughput });
        process.stderr.write(
          `round ${round}${round === 0 ? ' (warm-up)' : ''} ${side.label}: ${out.throughput.toFixed(0)}/s, ${cpuMs.toFixed(3)} ms/op, errors ${out.errors}, load ${loadavg()[0]!.toFixed(1)}\n`,
        );
      }
    }
    for (const [label, runs] of results) {
      process.stdout.write(
        `${label}: median ${median(runs.map((r) => r.rps)).toFixed(0)}/s, ${median(runs.map((r) => r.cpuMs)).toFixed(3)} ms of app CPU per request\n`,
      );
    }
  } finally {
    for (const side of sides) {
      await side.fleet.stopAll();
      await side.drop();
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
