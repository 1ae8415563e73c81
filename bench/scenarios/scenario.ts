import type { SeededSession } from '../child/seed-sessions';
import type { AppFleet, AppInstance, FleetUsage } from '../lib/app-fleet';
import type { LoadResult } from '../lib/http-load';
import type { BenchOptions, ScenarioName } from '../lib/options';

/** The seeded users: `benchEmail(prefix, i)` for i < count, all with `password`. */
export interface SeededUsers {
  prefix: string;
  count: number;
  password: string;
}

/** What a scenario gets from the runner. */
export interface ScenarioContext {
  options: BenchOptions;
  fleet: AppFleet;
  /** The first instance: seeding, and the push scenario's first instance. */
  primary: AppInstance;
  /** Every instance started for the run (`--instances`): the load spreads over them. */
  targets: AppInstance[];
  users: SeededUsers;
  databaseUrl: string;
  /** `count` fresh sessions (refresh-token families) of the seeded users, opened in the app. */
  sessions(count: number): Promise<SeededSession[]>;
  log(line: string): void;
  /**
   * Runs `load` as the measured window: every app instance's usage is reset before and read
   * after, and so is the load generator's (this process's) CPU.
   */
  measured(load: () => Promise<LoadResult>): Promise<Measured>;
}

export interface Measured {
  load: LoadResult;
  usage: FleetUsage;
  /** CPU of the bench process itself (the load generator) over the window, % of one core. */
  loadGeneratorCpuPercent: number;
  /** CPU of the whole machine over the window, % of one core (200 = 2 cores busy). */
  machineCpuPercent: number | null;
}

/** What a scenario reports: its measured window, how it ran, and its own checks. */
export interface ScenarioOutcome extends Measured {
  /** Connections, in-flight calls, families, sockets... */
  params: Record<string, number | string>;
  /** Scenario-specific findings (double rotations, missed pushes...), all must be clean. */
  checks: Record<string, number>;
  /** Extra figures worth keeping (e.g. same- vs cross-instance push latency). */
  details?: Record<string, unknown>;
}

export interface Scenario {
  name: ScenarioName;
  /** One line for the results: what is measured. */
  summary: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
}
