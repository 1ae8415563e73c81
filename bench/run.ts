import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type CeilingResult, runCeilings } from './ceilings/ceilings';
import type { SeededSession } from './child/seed-sessions';
import {
  AppFleet,
  BENCH_AUTH_PER_IP_PER_MINUTE,
  PRODUCTION_ARGON2,
  SMOKE_ARGON2,
} from './lib/app-fleet';
import { createBenchDatabase } from './lib/bench-database';
import { describeIo } from './lib/io-per-op';
import type { LoadResult } from './lib/http-load';
import { cpuStopwatch } from './lib/machine-cpu';
import { describeMachine } from './lib/machine';
import { type BenchOptions, parseOptions, USAGE } from './lib/options';
import { deleteKeysWithPrefix } from './lib/redis-cleanup';
import { resultsTable, type ScenarioRecord, scenarioRecord, writeResults } from './lib/report';
import { SCENARIO_LIST } from './scenarios';
import type { Measured, ScenarioContext, SeededUsers } from './scenarios/scenario';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

/** `npm run bench -- [options]`: boots the app, measures the ceilings and the scenarios. */
async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2), process.env);
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const options = parsed;
  const date = new Date().toISOString().slice(0, 10);
  const logDir = mkdtempSync(join(tmpdir(), 'identity-bench-'));
  const machine = await describeMachine(options.pgAdminUrl);
  log(
    `${machine.cores} cores, ${machine.memoryGb} GB, load average ${machine.loadAverageAtStart}; logs in ${logDir}`,
  );
  const db = await createBenchDatabase(options.pgAdminUrl);
  const redisPrefix = `bench:${Date.now().toString(36)}:`;
  const fleet = new AppFleet({
    databaseUrl: db.url,
    redisUrl: options.redisUrl,
    redisPrefix,
    argon2: {
      ...(options.smoke ? SMOKE_ARGON2 : PRODUCTION_ARGON2),
      ...(options.argon2Concurrency ? { concurrency: options.argon2Concurrency } : {}),
    },
    logLevel: options.logLevel,
    logDir,
    threadpool: process.env.UV_THREADPOOL_SIZE,
    cpuProfileDir: options.cpuProfileDir ? resolve(options.cpuProfileDir) : undefined,
    nodeFlags: options.appNodeFlags,
  });
  let cleaned: Promise<void> | undefined;
  const cleanup = () =>
    (cleaned ??= (async () => {
      await fleet.stopAll().catch((e: unknown) => log(`stopping the app: ${String(e)}`));
      await db.drop().catch((e: unknown) => log(`dropping ${db.name}: ${String(e)}`));
      await deleteKeysWithPrefix(options.redisUrl, redisPrefix).catch(() => undefined);
    })());
  const interrupted = () => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const records = await runAll(options, fleet, db.url, {
      date,
      command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
      machine,
      app: appSummary(fleet, options),
      durationS: options.durationS,
    });
    return records.every((r) => r.outcome.load.ok > 0) ? 0 : 1;
  } finally {
    await cleanup();
  }
}

async function runAll(
  options: BenchOptions,
  fleet: AppFleet,
  databaseUrl: string,
  common: Pick<ScenarioRecord, 'date' | 'command' | 'machine' | 'app' | 'durationS'>,
): Promise<ScenarioRecord[]> {
  log('starting the app (production mode, migrating a fresh database)');
  const targets = [];
  for (let i = 0; i < options.instances; i++) {
    targets.push(await fleet.start(String.fromCharCode(97 + i)));
  }
  const primary = targets[0]!;
  const users: SeededUsers = {
    prefix: `bench-${Date.now().toString(36)}-`,
    count: options.users,
    password: 'correct horse battery staple 42',
  };
  const seeded = await primary.handle.request<{ ms: number }>('seed.users', users, 600_000);
  log(`seeded ${users.count} users in ${seeded.ms} ms`);
  const sessions = (count: number) =>
    primary.handle.request<SeededSession[]>('seed.sessions', { count }, 600_000);
  const base = { options, fleet, primary, databaseUrl, sessions, log };
  const ceilings: CeilingResult[] = options.ceilings ? await runCeilings(base) : [];
  const ctx: ScenarioContext = {
    ...base,
    targets,
    users,
    measured: (load) => measured(fleet, load),
  };
  const records: ScenarioRecord[] = [];
  for (const scenario of SCENARIO_LIST.filter((s) => options.scenarios.includes(s.name))) {
    log(`scenario ${scenario.name}: ${scenario.summary}`);
    const outcome = await scenario.run(ctx);
    const record = scenarioRecord({ ...scenario, name: scenario.name, outcome, ceilings, common });
    records.push(record);
    log(
      `${scenario.name}: ${outcome.load.throughput}/s, p99 ${outcome.load.latency.p99} ms, ` +
        `errors ${outcome.load.errors} ${JSON.stringify(outcome.load.errorKinds)}, ` +
        `checks ${JSON.stringify(outcome.checks)}, app CPU ${outcome.usage.cpuPercent} %, ` +
        `RSS ${outcome.usage.peakRssMb} MB, ratio ${record.ratio ?? '–'}; ${describeIo(record.ioPerOp)}`,
    );
  }
  process.stdout.write(`\n${resultsTable(records, ceilings)}\n`);
  if (options.writeResults) {
    const files = writeResults(options.outDir, common.date, records, ceilings, common);
    log(`results: ${files.join(', ')}`);
  }
  return records;
}

async function measured(fleet: AppFleet, load: () => Promise<LoadResult>): Promise<Measured> {
  await fleet.resetUsage();
  const stop = cpuStopwatch(cpus().length);
  const result = await load();
  const cpu = stop();
  const usage = await fleet.readUsage();
  return {
    load: result,
    usage,
    loadGeneratorCpuPercent: cpu.self,
    machineCpuPercent: cpu.machine,
  };
}

/** The app's settings that shape the figures (no secrets, no URLs). */
function appSummary(fleet: AppFleet, options: BenchOptions): Record<string, string> {
  const a = fleet.config.argon2;
  return {
    NODE_ENV: 'production',
    argon2: `m=${a.memoryCost} t=${a.timeCost} p=${a.parallelism}, ${a.concurrency} at once${options.smoke ? ' (smoke: cheap)' : ''}`,
    UV_THREADPOOL_SIZE: fleet.config.threadpool ?? '4 (default)',
    DATABASE_POOL_SIZE: '10 (default)',
    AUTH_PER_IP_PER_MINUTE: `${BENCH_AUTH_PER_IP_PER_MINUTE} (raised: all load comes from 127.0.0.1)`,
    LOG_LEVEL: options.logLevel,
    nodeFlags: options.appNodeFlags.join(' ') || '(none)',
    instances: options.instances > 1 ? String(options.instances) : '1 (push: 2)',
  };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
