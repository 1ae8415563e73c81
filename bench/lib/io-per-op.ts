import type { FleetUsage } from './app-fleet';
import { round } from './latency';

/** Postgres statements and Redis commands per successful operation, summed over instances. */
export interface IoPerOp {
  pg: Record<string, number>;
  redis: Record<string, number>;
  pgTotal: number;
  redisTotal: number;
}

export function ioPerOp(usage: FleetUsage, ops: number): IoPerOp | null {
  if (ops <= 0 || usage.instances.every((u) => !u.io)) return null;
  const sum = (pick: 'pg' | 'redis') => {
    const out: Record<string, number> = {};
    for (const u of usage.instances) {
      for (const [k, v] of Object.entries(u.io?.[pick] ?? {})) out[k] = (out[k] ?? 0) + v;
    }
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, round(v / ops, 2)]));
  };
  const pg = sum('pg');
  const redis = sum('redis');
  const total = (m: Record<string, number>) => round(Object.values(m).reduce((a, b) => a + b, 0));
  return { pg, redis, pgTotal: total(pg), redisTotal: total(redis) };
}

/** `pg 9 (SELECT 4, …), redis 2 (evalsha 1, …)` for the log line. */
export function describeIo(io: IoPerOp | null): string {
  if (!io) return 'io n/a';
  const list = (m: Record<string, number>) =>
    Object.entries(m)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  return `pg ${io.pgTotal}/op (${list(io.pg)}), redis ${io.redisTotal}/op (${list(io.redis)})`;
}
