import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { round } from './latency';

function jiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    // idle + iowait are not busy.
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

/**
 * A stopwatch for CPU over a window: this process's own CPU (the load generator) and the whole
 * machine's (Linux `/proc/stat`; null elsewhere), both as % of one core, so 200 = both cores
 * of a 2-vCPU machine busy. What the machine spent beyond the app, the load generator,
 * Postgres and Redis is other people's work: the figure that says how quiet the run was.
 */
export function cpuStopwatch(cores: number): () => { self: number; machine: number | null } {
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const machine0 = jiffies();
  return () => {
    const wallMs = performance.now() - t0;
    const self = process.cpuUsage(self0);
    const machine1 = jiffies();
    const machine =
      machine0 && machine1 && machine1.total > machine0.total
        ? ((machine1.busy - machine0.busy) / (machine1.total - machine0.total)) * 100 * cores
        : null;
    return {
      self: round(((self.user + self.system) / 1000 / wallMs) * 100, 1),
      machine: machine === null ? null : round(machine, 1),
    };
  };
}
