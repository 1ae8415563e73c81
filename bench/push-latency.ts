/**
 * Push latency of the revocation socket: from the moment a revocation request leaves the
 * client to the moment the revoked session's socket receives `revoked`, with `sockets`
 * connected sockets spread evenly over two real app processes that share one Postgres and one
 * Redis (the socket.io Redis adapter). Half the revocations are sent to the instance holding
 * the socket, half to the other one, so both paths (local broadcast, Redis hop) are measured.
 * Revocations run one at a time, so the numbers are latency, not queueing.
 *
 * Not a test. Full run (1,000 sockets):  npx jest -c bench/push.jest.config.js
 * Smaller: PUSH_BENCH_SOCKETS=200 PUSH_BENCH_REVOCATIONS=100 npx jest -c bench/push.jest.config.js
 * A tiny run is part of the e2e suite (revocation-push.bench-smoke.e2e-spec.ts).
 *
 * Needs the jest global setup (migrated template database, app build under .test-build/).
 */
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { SessionsSocketClient } from '../apps/identity/src/ws/client/sessions-socket.client';
import { testEnv } from '../test/support/app';
import { createTestDatabase } from '../test/support/database';
import { login, type LoggedIn, registerVerified } from '../test/support/flows';
import { TEST_REDIS_URL, uniqueKvPrefix } from '../test/support/kv';
import { MailCatcher } from '../test/support/mail-catcher';
import { freePort } from '../test/support/ports';
import { type IdentityProcess, spawnIdentity } from '../test/support/process';

export interface PushBenchOptions {
  /** Connected sockets in total, spread over the two instances (default 1,000). */
  sockets: number;
  /** Revocations measured (each ends one session; default 200, at most `sockets`). */
  revocations: number;
  /** Sessions (and sockets) per user (default 10). */
  sessionsPerUser: number;
  /** Progress lines; default silent. */
  log?: (line: string) => void;
}

export interface LatencyStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

export interface PushBenchResult {
  sockets: number;
  /** Sockets held per instance at the start of the measurement. */
  perInstance: [number, number];
  all: LatencyStats;
  /** Revocation sent to the instance holding the socket. */
  sameInstance: LatencyStats;
  /** Revocation sent to the other instance (through the Redis adapter). */
  crossInstance: LatencyStats;
  /** Revocations whose push did not arrive within 5 s. */
  missed: number;
}

const RECEIPT_TIMEOUT_MS = 5_000;
const SETUP_CONCURRENCY = 25;

interface Instance {
  url: string;
  process: IdentityProcess;
}

interface Seat {
  session: LoggedIn;
  client: SessionsSocketClient;
  instance: 0 | 1;
}

/** Runs the bench and tears everything down again. */
export async function runPushLatencyBench(
  options: Partial<PushBenchOptions> = {},
): Promise<PushBenchResult> {
  const opts: PushBenchOptions = {
    sockets: options.sockets ?? 1_000,
    revocations: Math.min(options.revocations ?? 200, options.sockets ?? 1_000),
    sessionsPerUser: options.sessionsPerUser ?? 10,
    log: options.log,
  };
  const log = opts.log ?? (() => undefined);
  const mail = new MailCatcher();
  const smtpPort = await mail.start();
  const db = await createTestDatabase('bench_push');
  const instances: Instance[] = [];
  const seats: Seat[] = [];
  try {
    const shared = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueKvPrefix('bench-push'),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LOG_LEVEL: 'warn',
    };
    for (let i = 0; i < 2; i++) instances.push(await spawnInstance(shared));
    log(`instances up: ${instances.map((i) => i.url).join(', ')}`);

    const sessions = await openSessions(instances[0]!.url, mail, opts);
    log(`${sessions.length} sessions open`);
    await mapLimit(sessions, SETUP_CONCURRENCY * 2, async (session, index) => {
      const instance = (index % 2) as 0 | 1;
      const client = await SessionsSocketClient.connect(instances[instance]!.url, {
        token: session.accessToken,
        timeoutMs: 20_000,
      });
      seats[index] = { session, client, instance };
    });
    log(`${seats.length} sockets connected`);
    return await measure(instances, seats, opts);
  } finally {
    for (const seat of seats) seat?.client.close();
    for (const instance of instances) await stopInstance(instance);
    await db.drop();
    await mail.stop();
  }
}

async function measure(
  instances: Instance[],
  seats: Seat[],
  opts: PushBenchOptions,
): Promise<PushBenchResult> {
  const same: number[] = [];
  const cross: number[] = [];
  let missed = 0;
  const perInstance: [number, number] = [0, 0];
  for (const seat of seats) perInstance[seat.instance] += 1;
  // Every `step`-th seat, so the victims are spread over users and instances alike.
  const step = Math.max(1, Math.floor(seats.length / opts.revocations));
  for (let r = 0; r < opts.revocations; r++) {
    const seat = seats[(r * step) % seats.length]!;
    const crossing = r % 2 === 0;
    const target = instances[crossing ? 1 - seat.instance : seat.instance]!;
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<number | null>((resolve) => {
      seat.client.socket.once('revoked', () => resolve(performance.now()));
      timer = setTimeout(() => resolve(null), RECEIPT_TIMEOUT_MS);
    });
    const started = performance.now();
    await request(target.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${seat.session.accessToken}`)
      .expect(204);
    const receivedAt = await arrived;
    clearTimeout(timer);
    if (receivedAt === null) missed += 1;
    else (crossing ? cross : same).push(receivedAt - started);
  }
  return {
    sockets: seats.length,
    perInstance,
    all: stats([...same, ...cross]),
    sameInstance: stats(same),
    crossInstance: stats(cross),
    missed,
  };
}

/** Users with `sessionsPerUser` sessions each, `sockets` sessions in total. */
async function openSessions(
  url: string,
  mail: MailCatcher,
  opts: PushBenchOptions,
): Promise<LoggedIn[]> {
  const users = Math.ceil(opts.sockets / opts.sessionsPerUser);
  const sessions: LoggedIn[] = [];
  await mapLimit(Array.from({ length: users }), SETUP_CONCURRENCY, async (_, u) => {
    const creds = await registerVerified(url, mail, `bench.push.${u}.${Date.now()}@example.test`);
    const count = Math.min(opts.sessionsPerUser, opts.sockets - u * opts.sessionsPerUser);
    for (let s = 0; s < count; s++) sessions.push(await login(url, creds, `bench ${s}`));
  });
  return sessions;
}

async function spawnInstance(shared: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const proc = spawnIdentity(
    testEnv({ ...shared, PORT: String(port), GRPC_PORT: String(await freePort()) }),
  );
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return { url, process: proc };
    if (Date.now() > until || proc.child.exitCode !== null) {
      proc.child.kill('SIGKILL');
      throw new Error(`instance on ${url} not ready\n${proc.stdout()}\n${proc.stderr()}`);
    }
    await sleep(100);
  }
}

async function stopInstance(instance: Instance): Promise<void> {
  const { child, exited } = instance.process;
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

export function stats(samples: number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  // Nearest-rank percentile: the smallest sample with at least p% of samples at or below it.
  const at = (p: number) =>
    sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { count: sorted.length, p50: at(50), p99: at(99), max: at(100) };
}

/** The result as a small text table. */
export function formatPushBench(result: PushBenchResult): string {
  const row = (name: string, s: LatencyStats) =>
    `${name.padEnd(16)}${String(s.count).padStart(6)}${fmt(s.p50)}${fmt(s.p99)}${fmt(s.max)}`;
  return [
    `push latency, revocation request -> socket receipt; ${result.sockets} sockets ` +
      `(${result.perInstance[0]} + ${result.perInstance[1]} on two instances), ` +
      `${result.missed} missed`,
    `${'path'.padEnd(16)}${'n'.padStart(6)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}`,
    row('all', result.all),
    row('same instance', result.sameInstance),
    row('cross instance', result.crossInstance),
    '',
  ].join('\n');
}

const fmt = (ms: number) => (Number.isNaN(ms) ? '-' : ms.toFixed(1)).padStart(10);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
