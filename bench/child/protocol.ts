import type { ClosedLoopResult } from '../lib/closed-loop';
import type { IoCounts } from './io-counters';

/**
 * The IPC protocol between the bench runner and its child processes. Each server under test
 * (the app, the bare ceilings) and each raw loop runs in a process of its own, so its CPU and
 * RSS are its own and the load generator never shares its event loop.
 */

/** What a child process is. */
export type ChildRole = 'app' | 'bare-express' | 'bare-grpc' | 'argon2' | 'jose' | 'pg-tx';

/** Runner → child. */
export interface ChildRequest {
  id: number;
  cmd: string;
  args?: unknown;
}

/** Child → runner: the answer to one request. */
export interface ChildReply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/** Child → runner, once: listening (servers) or loaded (loops). */
export interface ChildReady {
  ready: true;
  info: Record<string, string>;
}

/** Child → runner, once, instead of ready. */
export interface ChildFailed {
  failed: string;
}

export type ChildMessage = ChildReply | ChildReady | ChildFailed;

/** CPU, memory and event-loop health of one process over a measured window. */
export interface ProcessUsage {
  wallMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** (user + system) / wall; 100 = one core busy, 200 = both cores of a 2-vCPU machine. */
  cpuPercent: number;
  rssMb: number;
  /** Highest RSS sampled (every 100 ms) during the window. */
  peakRssMb: number;
  /** At the end of the window: V8 heap in use, and memory outside it (Buffers, native). */
  heapUsedMb: number;
  /** V8 heap reserved (used or not): RSS beyond it and `external` is native memory. */
  heapTotalMb: number;
  externalMb: number;
  /** Share of the window the event loop was busy (0..1). */
  eventLoopUtilization: number;
  /** Event-loop delay (timer lateness), p99 and max over the window. */
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** App instances: Postgres statements (by keyword) and Redis commands sent in the window. */
  io?: IoCounts;
}

/** A raw loop's measurement, with the loop process's own usage over the measured window. */
export interface LoopResult extends ClosedLoopResult {
  usage: ProcessUsage;
}

/** What every raw loop child is told to do. */
export interface LoopRun {
  warmupMs: number;
  durationMs: number;
  concurrency: number;
}
