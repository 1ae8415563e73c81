import type { CeilingName, CeilingResult } from '../ceilings/ceilings';
import type { ScenarioOutcome } from '../scenarios/scenario';
import { round } from './latency';
import type { ScenarioName } from './options';

/** One target of the issue, as measured. */
export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

/** RSS every instance must stay under, in every scenario. */
const RSS_LIMIT_MB = 250;

/** The ceiling a scenario's ratio divides by. */
export const RATIO_CEILING: Record<ScenarioName, CeilingName | null> = {
  login: 'argon2',
  refresh: 'pg-tx',
  me: 'express',
  verify: 'grpc-jose',
  push: null,
  webhook: null,
};

/** The targets for one scenario, checked against its outcome and the ceilings. */
export function checkTargets(
  name: ScenarioName,
  outcome: ScenarioOutcome,
  ceiling: CeilingResult | undefined,
): TargetCheck[] {
  const { load, usage } = outcome;
  const ratio = ceiling ? load.throughput / ceiling.load.throughput : undefined;
  const pct = (r: number | undefined) =>
    r === undefined ? 'no ceiling' : `${round(r * 100, 1)} %`;
  const checks: TargetCheck[] = [];
  switch (name) {
    case 'login':
      checks.push({
        target: '≥ 85 % of argon2 ceiling',
        measured: pct(ratio),
        met: (ratio ?? 0) >= 0.85,
      });
      break;
    case 'refresh': {
      const doubles = outcome.checks.acceptedTwice ?? 0;
      const inDb = outcome.checks.doubleRotationsInDatabase ?? 0;
      const race = outcome.checks.raceTwoSuccessors ?? 0;
      checks.push(
        {
          target: '≥ 960 refresh/s',
          measured: `${load.throughput}/s`,
          met: load.throughput >= 960,
        },
        {
          target: 'double rotations = 0',
          measured: `${doubles} client, ${inDb} database, ${race} race probe`,
          met: doubles + inDb + race === 0,
        },
      );
      break;
    }
    case 'verify': {
      const bare = ceiling?.load.latency.p99;
      checks.push(
        {
          target: '≥ 70 % of grpc-js + jose ceiling',
          measured: pct(ratio),
          met: (ratio ?? 0) >= 0.7,
        },
        {
          target: 'p99 ≤ 1.5 × bare p99',
          measured: bare ? `${load.latency.p99} ms vs ${round(bare * 1.5)} ms` : 'no ceiling',
          met: bare !== undefined && load.latency.p99 <= bare * 1.5,
        },
      );
      break;
    }
    case 'me':
      checks.push({
        target: 'p99 < 10 ms',
        measured: `${load.latency.p99} ms`,
        met: load.latency.p99 < 10,
      });
      break;
    case 'push':
      checks.push({
        target: 'p99 < 100 ms',
        measured: `${load.latency.p99} ms`,
        met: load.latency.p99 < 100,
      });
      break;
    case 'webhook': {
      const at100 = (outcome.details?.at100 as { latency?: { p99: number } } | undefined)?.latency;
      checks.push({
        target: 'p99 commit → 2xx < 1 s at 100 events/s',
        measured: at100 ? `${at100.p99} ms` : 'not measured',
        met: at100 !== undefined && at100.p99 < 1000,
      });
      break;
    }
  }
  const problems = load.errors + Object.values(outcome.checks).reduce((a, b) => a + b, 0);
  checks.push(
    { target: 'no errors', measured: String(problems), met: problems === 0 },
    {
      target: `RSS < ${RSS_LIMIT_MB} MB`,
      measured: `${usage.peakRssMb} MB`,
      met: usage.peakRssMb < RSS_LIMIT_MB,
    },
  );
  return checks;
}
