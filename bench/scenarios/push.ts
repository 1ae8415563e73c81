import { performance } from 'node:perf_hooks';
import type { AppInstance } from '../lib/app-fleet';
import type { LoadResult } from '../lib/http-load';
import { LatencyRecorder, round } from '../lib/latency';
import { closeSeats, connectSeats, receipt, type Seat } from './push-sockets';
import type { Scenario } from './scenario';

const CONNECT_CONCURRENCY = 50;
const RECEIPT_TIMEOUT_MS = 5_000;

/**
 * Revocation push: `sockets` clients of `/sessions` spread over two instances (shared
 * Postgres and Redis, the socket.io Redis adapter between them). Sessions are revoked one at
 * a time with `POST /auth/logout` (Bearer), alternately on the instance holding the socket and
 * on the other one; latency runs from the request leaving the client to `revoked` arriving
 * on the socket. At most half the sockets are revoked, so the other half stays connected
 * throughout (and must not be disconnected).
 */
export const pushScenario: Scenario = {
  name: 'push',
  summary: 'revocation → socket receipt, sockets over two instances, logout one at a time',
  async run(ctx) {
    const sessions = await ctx.sessions(ctx.options.sockets);
    // A second instance of its own, unless the run has several already (`--instances`).
    const started = ctx.targets.length < 2 ? await ctx.fleet.start('push-b') : undefined;
    const instances = [ctx.primary, started ?? ctx.targets[1]!];
    let seats: Seat[] = [];
    try {
      const connectStarted = performance.now();
      seats = await connectSeats(
        instances.map((i) => i.url),
        sessions,
        CONNECT_CONCURRENCY,
      );
      const connectMs = round(performance.now() - connectStarted, 0);
      ctx.log(`push: ${seats.length} sockets connected in ${connectMs} ms`);
      const same = new LatencyRecorder();
      const cross = new LatencyRecorder();
      const measured = await ctx.measured(() =>
        revokeOneByOne(instances, seats, ctx.options.durationS, { same, cross }),
      );
      const revoked = new Set(seats.filter((s) => s.revokedAt !== undefined));
      const dropped = seats.filter((s) => s.disconnected && !revoked.has(s)).length;
      return {
        ...measured,
        params: { sockets: seats.length, instances: instances.length },
        checks: { unexpectedDisconnects: dropped },
        details: {
          connectMs,
          sameInstance: same.summary(),
          crossInstance: cross.summary(),
        },
      };
    } finally {
      closeSeats(seats);
      if (started) await ctx.fleet.stop(started);
    }
  },
};

async function revokeOneByOne(
  instances: AppInstance[],
  seats: Seat[],
  durationS: number,
  paths: { same: LatencyRecorder; cross: LatencyRecorder },
): Promise<LoadResult> {
  const latency = new LatencyRecorder();
  const errorKinds: Record<string, number> = {};
  const fail = (kind: string) => (errorKinds[kind] = (errorKinds[kind] ?? 0) + 1);
  // Every other seat, so victims alternate over instances and users.
  const victims = seats.filter((_, i) => i % 2 === 0);
  const started = performance.now();
  const deadline = started + durationS * 1000;
  let r = 0;
  for (; r < victims.length && performance.now() < deadline; r++) {
    const seat = victims[r]!;
    const crossing = r % 2 === 0;
    const target = instances[crossing ? (seat.instance + 1) % instances.length : seat.instance]!;
    const t0 = performance.now();
    const res = await fetch(`${target.url}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${seat.accessToken}` },
      signal: AbortSignal.timeout(10_000),
    }).catch(() => null);
    if (res?.status !== 204) fail(res ? String(res.status) : 'connection');
    await res?.arrayBuffer();
    const at = await receipt(seat, RECEIPT_TIMEOUT_MS);
    if (at === null) {
      fail('missed');
      continue;
    }
    latency.record(at - t0);
    (crossing ? paths.cross : paths.same).record(at - t0);
  }
  const seconds = (performance.now() - started) / 1000;
  const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0);
  return {
    throughput: round(latency.count / seconds, 1),
    ok: latency.count,
    errors,
    errorKinds,
    seconds: round(seconds, 3),
    latency: latency.summary(),
  };
}
