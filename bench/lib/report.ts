import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CeilingResult } from '../ceilings/ceilings';
import type { ScenarioOutcome } from '../scenarios/scenario';
import { type IoPerOp, ioPerOp } from './io-per-op';
import { round } from './latency';
import type { Machine } from './machine';
import type { ScenarioName } from './options';
import { checkTargets, RATIO_CEILING, type TargetCheck } from './targets';

/** Everything one scenario's result file holds. */
export interface ScenarioRecord {
  scenario: ScenarioName;
  summary: string;
  date: string;
  command: string;
  machine: Machine;
  /** How the app ran (secrets and URLs left out). */
  app: Record<string, string>;
  durationS: number;
  outcome: ScenarioOutcome;
  ceiling: CeilingResult | null;
  /** throughput ÷ ceiling throughput. */
  ratio: number | null;
  /** Postgres statements and Redis commands the app sent per successful operation. */
  ioPerOp: IoPerOp | null;
  /** App CPU time per successful operation (all instances), and the ceiling process's. */
  cpuMsPerOp: number | null;
  ceilingCpuMsPerOp: number | null;
  targets: TargetCheck[];
}

export function scenarioRecord(input: {
  name: ScenarioName;
  summary: string;
  outcome: ScenarioOutcome;
  ceilings: CeilingResult[];
  common: Pick<ScenarioRecord, 'date' | 'command' | 'machine' | 'app' | 'durationS'>;
}): ScenarioRecord {
  const wanted = RATIO_CEILING[input.name];
  const ceiling = input.ceilings.find((c) => c.name === wanted) ?? null;
  return {
    scenario: input.name,
    summary: input.summary,
    ...input.common,
    outcome: input.outcome,
    ceiling,
    ratio: ceiling ? round(input.outcome.load.throughput / ceiling.load.throughput, 3) : null,
    ioPerOp: ioPerOp(input.outcome.usage, input.outcome.load.ok),
    cpuMsPerOp: cpuMsPerOp(input.outcome.usage.instances, input.outcome.load.ok),
    ceilingCpuMsPerOp: ceiling ? cpuMsPerOp([ceiling.usage], ceiling.load.ok) : null,
    targets: checkTargets(input.name, input.outcome, ceiling ?? undefined),
  };
}

/** CPU milliseconds the processes spent per successful operation over the window. */
export function cpuMsPerOp(
  usages: readonly { cpuUserMs: number; cpuSystemMs: number }[],
  ok: number,
): number | null {
  if (ok <= 0) return null;
  const ms = usages.reduce((a, u) => a + u.cpuUserMs + u.cpuSystemMs, 0);
  return round(ms / ok, 3);
}

/** `<dir>/<date>-<scenario>.json` per scenario and `<date>-ceilings.json`. */
export function writeResults(
  dir: string,
  date: string,
  records: ScenarioRecord[],
  ceilings: CeilingResult[],
  common: object,
): string[] {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, value: unknown) => {
    const file = join(dir, `${date}-${name}.json`);
    writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
    files.push(file);
  };
  for (const r of records) write(r.scenario, r);
  if (ceilings.length > 0) write('ceilings', { ...common, ceilings });
  return files;
}

const cell = (v: string | number | null) => (v === null ? '–' : String(v));

/** The results as a Markdown table (printed, and pasted into bench/README.md). */
export function resultsTable(records: ScenarioRecord[], ceilings: CeilingResult[]): string {
  const head =
    '| scenario | ops/s | p50 ms | p99 ms | max ms | errors | app CPU % | app CPU ms/op | app peak RSS MB | load-gen CPU % | machine CPU % | ceiling | ceiling ops/s | ceiling p99 ms | ceiling CPU ms/op | ratio | targets |';
  const rule = `|${'---|'.repeat(17)}`;
  const rows = records.map((r) => {
    const { load, usage } = r.outcome;
    const missed = r.targets.filter((t) => !t.met).map((t) => `✗ ${t.target} (${t.measured})`);
    return `| ${[
      r.scenario,
      load.throughput,
      load.latency.p50,
      load.latency.p99,
      load.latency.max,
      load.errors,
      usage.cpuPercent,
      r.cpuMsPerOp,
      usage.peakRssMb,
      r.outcome.loadGeneratorCpuPercent,
      r.outcome.machineCpuPercent,
      r.ceiling?.name ?? '–',
      r.ceiling?.load.throughput ?? '–',
      r.ceiling?.load.latency.p99 ?? '–',
      r.ceilingCpuMsPerOp,
      r.ratio === null ? '–' : `${round(r.ratio * 100, 1)} %`,
      missed.length === 0 ? '✓ all met' : missed.join('; '),
    ]
      .map(cell)
      .join(' | ')} |`;
  });
  const ceilingHead =
    '| ceiling | ops/s | p50 ms | p99 ms | max ms | errors | CPU % | CPU ms/op | peak RSS MB | load-gen CPU % | machine CPU % |';
  const ceilingRows = ceilings.map(
    (c) =>
      `| ${[
        c.name,
        c.load.throughput,
        c.load.latency.p50,
        c.load.latency.p99,
        c.load.latency.max,
        c.load.errors,
        c.usage.cpuPercent,
        cpuMsPerOp([c.usage], c.load.ok),
        c.usage.peakRssMb,
        c.loadGeneratorCpuPercent,
        c.machineCpuPercent,
      ]
        .map(cell)
        .join(' | ')} |`,
  );
  return [
    head,
    rule,
    ...rows,
    '',
    ...(ceilings.length > 0 ? [ceilingHead, `|${'---|'.repeat(11)}`, ...ceilingRows] : []),
  ].join('\n');
}
