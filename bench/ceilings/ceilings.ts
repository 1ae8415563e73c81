import type { SeededSession } from '../child/seed-sessions';
import type { ProcessUsage } from '../child/protocol';
import type { AppFleet, AppInstance } from '../lib/app-fleet';
import type { LoadResult } from '../lib/http-load';
import type { BenchOptions, ScenarioName } from '../lib/options';
import { CEILING_DEFINITIONS } from './definitions';
import { tokenCheckFor } from './token-check';

export type CeilingName = 'argon2' | 'pg-tx' | 'express' | 'jose' | 'grpc-echo' | 'grpc-jose';

/** Which ceilings a scenario needs; the first one is what its ratio divides by. */
export const CEILINGS_OF: Record<ScenarioName, CeilingName[]> = {
  login: ['argon2'],
  refresh: ['pg-tx'],
  me: ['express'],
  verify: ['grpc-jose', 'grpc-echo', 'jose'],
  push: [],
  webhook: [],
};

export interface CeilingResult {
  name: CeilingName;
  summary: string;
  load: LoadResult;
  /** The ceiling process's own usage over its measured window. */
  usage: ProcessUsage;
  /** This process (the load generator, idle for the self-measuring loops) and the machine. */
  loadGeneratorCpuPercent: number;
  machineCpuPercent: number | null;
  params: Record<string, number | string>;
}

export interface CeilingContext {
  options: BenchOptions;
  fleet: AppFleet;
  primary: AppInstance;
  databaseUrl: string;
  sessions(count: number): Promise<SeededSession[]>;
  log(line: string): void;
}

/** Runs the ceilings the chosen scenarios need, one process at a time, while the app idles. */
export async function runCeilings(ctx: CeilingContext): Promise<CeilingResult[]> {
  const wanted = new Set(ctx.options.scenarios.flatMap((s) => CEILINGS_OF[s]));
  if (wanted.size === 0) return [];
  const [session] = await ctx.sessions(1);
  const check = await tokenCheckFor(ctx.primary.url, session?.accessToken ?? '');
  const results: CeilingResult[] = [];
  for (const [name, define] of Object.entries(CEILING_DEFINITIONS)) {
    if (!wanted.has(name as CeilingName)) continue;
    ctx.log(`ceiling ${name}...`);
    results.push(await define({ ...ctx, check }));
  }
  return results;
}
