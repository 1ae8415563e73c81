import { parseArgs } from 'node:util';

export const SCENARIOS = ['login', 'refresh', 'me', 'verify', 'push', 'webhook'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Everything a run is told; `npm run bench -- --help` lists the flags. */
export interface BenchOptions {
  scenarios: ScenarioName[];
  durationS: number;
  warmupS: number;
  /** Ceilings run for this long each. */
  ceilingS: number;
  /** A fast, tiny run (the smoke test): cheap argon2, few users, sockets and families. */
  smoke: boolean;
  ceilings: boolean;
  /** App instances the HTTP and gRPC scenarios spread over (one process per core = 2). */
  instances: number;
  users: number;
  families: number;
  sockets: number;
  pgAdminUrl: string;
  redisUrl: string;
  outDir: string;
  logLevel: string;
  /** Write `<date>-<scenario>.json` files (off for the smoke test's throwaway runs). */
  writeResults: boolean;
  /** `--cpu-prof <dir>`: V8 CPU profiles of the app instances (one file per instance). */
  cpuProfileDir?: string;
  /** `--argon2-concurrency <n>`: the app's ARGON2_CONCURRENCY (and the ceiling's in-flight). */
  argon2Concurrency?: number;
  /** `--app-node-flags "<flags>"`: Node flags of the app instances. */
  appNodeFlags: string[];
}

export const USAGE = `npm run bench -- [options]
  --scenario <name>   login, refresh, me, verify, push, webhook (repeat or comma-separate; default all)
  --duration <s>      measured seconds per scenario (default 20)
  --warmup <s>        unmeasured seconds before each (default 3)
  --ceiling <s>       seconds per ceiling (default 10)
  --no-ceilings       skip the ceilings (ratios are then empty)
  --instances <n>     app instances (processes) to spread the load over (default 1)
  --users <n>         seeded users (default 2000)
  --families <n>      refresh-token families for refresh (default 1024)
  --sockets <n>       sockets for push (default 1000)
  --pg-url <url>      admin URL of the Postgres (default $BENCH_PG_URL or postgres://postgres@127.0.0.1:5432/postgres)
  --redis-url <url>   Redis (default $BENCH_REDIS_URL or redis://127.0.0.1:6379)
  --out <dir>         results directory (default bench/results)
  --log-level <lvl>   the app's LOG_LEVEL (default info, as in production)
  --argon2-concurrency <n>  hashes the app computes at once (default: one per core, as the app)
  --app-node-flags=<f> Node flags for the app instances, e.g. --app-node-flags=--max-old-space-size=160
  --cpu-prof <dir>    write a V8 CPU profile of each app instance there (open in Chrome DevTools)
  --smoke             one-second scenarios, cheap argon2, small counts (results only with --out)
  --help`;

/**
 * Parses the command line.
 * @throws Error naming a bad flag or value.
 */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', multiple: true },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      ceiling: { type: 'string' },
      'no-ceilings': { type: 'boolean' },
      users: { type: 'string' },
      instances: { type: 'string' },
      families: { type: 'string' },
      sockets: { type: 'string' },
      'pg-url': { type: 'string' },
      'redis-url': { type: 'string' },
      out: { type: 'string' },
      'log-level': { type: 'string' },
      smoke: { type: 'boolean' },
      'cpu-prof': { type: 'string' },
      'app-node-flags': { type: 'string' },
      'argon2-concurrency': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const smoke = values.smoke ?? false;
  const scenarios = (values.scenario ?? [...SCENARIOS])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length > 0) throw new Error(`unknown scenario: ${unknown.join(', ')}`);
  return {
    scenarios: SCENARIOS.filter((s) => scenarios.includes(s)),
    durationS: num(values.duration, smoke ? 1 : 20, 'duration'),
    warmupS: num(values.warmup, smoke ? 0.1 : 3, 'warmup'),
    ceilingS: num(values.ceiling, smoke ? 0.2 : 10, 'ceiling'),
    smoke,
    ceilings: !values['no-ceilings'],
    instances: Math.round(num(values.instances, 1, 'instances')),
    users: num(values.users, smoke ? 30 : 2000, 'users'),
    families: num(values.families, smoke ? 128 : 1024, 'families'),
    sockets: num(values.sockets, smoke ? 10 : 1000, 'sockets'),
    pgAdminUrl:
      values['pg-url'] ?? env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: values['redis-url'] ?? env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    outDir: values.out ?? 'bench/results',
    logLevel: values['log-level'] ?? 'info',
    writeResults: !smoke || values.out !== undefined,
    cpuProfileDir: values['cpu-prof'],
    appNodeFlags: (values['app-node-flags'] ?? '').split(/\s+/).filter(Boolean),
    argon2Concurrency:
      values['argon2-concurrency'] === undefined
        ? undefined
        : Math.round(num(values['argon2-concurrency'], 1, 'argon2-concurrency')),
  };
}

function num(raw: string | undefined, fallback: number, name: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
}
