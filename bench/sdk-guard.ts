/**
 * The SDK-protected endpoint against the same endpoint checked by `VerifyToken` per request:
 * the reporting demo (`POST /reports`, needs `reports:generate`) run twice as a real process,
 * once with `IDENTITY_VERIFY_MODE=local` (the SDK: JWKS, pushed revocations, cached
 * permissions) and once with `platform` (the same SDK and guard, asking `VerifyToken` on every
 * request), in front of one real platform process on the local Postgres and Redis.
 *
 * For each mode: throughput and latency under closed-loop load (autocannon, `connections`
 * connections, tokens of `users` users in turn), the platform's gRPC calls per request (its
 * `/metrics`), CPU per request of the demo and of the platform (`/proc/<pid>/stat`), and the
 * revocation delay: a used session is logged out on the platform and the demo is asked again
 * and again with its token; the delay runs from the logout's 204 to the first 401 (`missed`
 * when none within 5 s). Revocations run one at a time, with no load.
 *
 * Not a test. Run:  npx jest -c bench/sdk.jest.config.js   (SDK_BENCH_* settings: see there)
 * A tiny run is part of the e2e suite (sdk-guard.bench-smoke.e2e-spec.ts). Needs the jest
 * global setup (migrated template database, app build under .test-build/).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { testEnv } from '../test/support/app';
import { createTestDatabase } from '../test/support/database';
import { login, type LoggedIn, registerVerified } from '../test/support/flows';
import { TEST_REDIS_URL, uniqueKvPrefix } from '../test/support/kv';
import { MailCatcher } from '../test/support/mail-catcher';
import { freePort } from '../test/support/ports';
import { spawnIdentity, testBuildDir, type IdentityProcess } from '../test/support/process';
import { httpLoad, type LoadResult } from './lib/http-load';
import { type LatencyStats, stats } from './push-latency';

export interface SdkBenchOptions {
  /** Measured window per mode, seconds (default 10); a 2 s warm-up comes first. */
  durationS: number;
  warmupS: number;
  connections: number;
  /** Users whose tokens the load cycles through (default 50). */
  users: number;
  /** Revocations measured per mode (default 40). */
  revocations: number;
  log?: (line: string) => void;
}

export interface SdkModeResult {
  mode: 'local' | 'platform';
  load: LoadResult;
  /** Platform gRPC calls during the measured window, per successful request. */
  perRequest: { verifyToken: number; getUserPermissions: number };
  /** CPU milliseconds per successful request during the window. */
  cpuMsPerRequest: { demo: number; platform: number };
  /** From the logout's 204 to the demo's first 401, ms. */
  revocationDelay: LatencyStats & { missed: number };
}

export interface SdkBenchResult {
  options: Omit<SdkBenchOptions, 'log'>;
  local: SdkModeResult;
  platform: SdkModeResult;
}

const REVOCATION_TIMEOUT_MS = 5_000;
const CLOCK_TICK_MS = 10; // USER_HZ = 100 on Linux

/** Runs both modes and tears everything down again. */
export async function runSdkGuardBench(
  options: Partial<SdkBenchOptions> = {},
): Promise<SdkBenchResult> {
  const opts: SdkBenchOptions = {
    durationS: options.durationS ?? 10,
    warmupS: options.warmupS ?? 2,
    connections: options.connections ?? 32,
    users: options.users ?? 50,
    revocations: options.revocations ?? 40,
    log: options.log,
  };
  const log = opts.log ?? (() => undefined);
  const mail = new MailCatcher();
  const smtpPort = await mail.start();
  const db = await createTestDatabase('bench_sdk');
  const adminEmail = `bench.sdk.admin.${Date.now()}@example.test`;
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueKvPrefix('bench-sdk'),
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      BOOTSTRAP_ADMIN_EMAIL: adminEmail,
      ADMIN_REQUIRE_MFA: 'false',
      LOG_LEVEL: 'warn',
    });
    const people = await seed(platform, mail, adminEmail, opts);
    log(`platform up, ${people.load.length} load sessions, ${people.victims.length} to revoke`);
    const result: Partial<Record<'local' | 'platform', SdkModeResult>> = {};
    for (const mode of ['local', 'platform'] as const) {
      const victims = people.victims.splice(0, opts.revocations);
      result[mode] = await measureMode(mode, platform, people.load, victims, opts);
      log(`${mode}: ${JSON.stringify(result[mode])}`);
    }
    const { log: _log, ...kept } = opts;
    return { options: kept, local: result.local!, platform: result.platform! };
  } finally {
    if (platform) await stop(platform.process.child);
    await db.drop();
    await mail.stop();
  }
}

interface Platform {
  url: string;
  grpcAddress: string;
  process: IdentityProcess;
}

async function startPlatform(env: Record<string, string>): Promise<Platform> {
  const port = await freePort();
  const grpcPort = await freePort();
  const proc = spawnIdentity(testEnv({ ...env, PORT: String(port), GRPC_PORT: String(grpcPort) }));
  const url = `http://127.0.0.1:${port}`;
  await until(
    () =>
      fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      ),
    30_000,
    () => `platform not ready\n${proc.stdout()}\n${proc.stderr()}`,
  );
  return { url, grpcAddress: `127.0.0.1:${grpcPort}`, process: proc };
}

/** Users with `reports:generate`: one session each for the load, two per victim to revoke. */
async function seed(
  platform: Platform,
  mail: MailCatcher,
  adminEmail: string,
  opts: SdkBenchOptions,
): Promise<{ load: LoggedIn[]; victims: LoggedIn[] }> {
  const admin = await login(platform.url, await registerVerified(platform.url, mail, adminEmail));
  const asAdmin = { Authorization: `Bearer ${admin.accessToken}` };
  await request(platform.url)
    .put('/admin/roles/reporter')
    .set(asAdmin)
    .send({ permissions: ['reports:generate'] })
    .expect(200);
  const load: LoggedIn[] = [];
  const victims: LoggedIn[] = [];
  for (let u = 0; u < opts.users; u++) {
    const creds = await registerVerified(
      platform.url,
      mail,
      `bench.sdk.${u}.${Date.now()}@example.test`,
    );
    const first = await login(platform.url, creds, 'load');
    const userId = String(decodeJwt(first.accessToken).sub);
    await request(platform.url)
      .put(`/admin/users/${userId}/roles`)
      .set(asAdmin)
      .send({ roles: ['user', 'reporter'] })
      .expect(200);
    // Tokens minted after the grant (the role claim is informative only; permissions are live).
    load.push(await login(platform.url, creds, 'load'));
  }
  // Victims hold no `reports:generate`: the demo answers them 403 until they are revoked.
  for (let v = 0; v < 2 * opts.revocations; v++) {
    const creds = await registerVerified(
      platform.url,
      mail,
      `bench.sdk.victim.${v}.${Date.now()}@example.test`,
    );
    victims.push(await login(platform.url, creds, 'victim'));
  }
  return { load, victims };
}

async function measureMode(
  mode: 'local' | 'platform',
  platform: Platform,
  sessions: LoggedIn[],
  victims: LoggedIn[],
  opts: SdkBenchOptions,
): Promise<SdkModeResult> {
  const demo = await startDemo(mode, platform);
  try {
    const requestsFor = (connection: number) => [
      {
        method: 'POST' as const,
        path: '/reports',
        headers: {
          authorization: `Bearer ${sessions[connection % sessions.length]!.accessToken}`,
        },
      },
    ];
    await httpLoad({
      url: demo.url,
      connections: opts.connections,
      durationS: opts.warmupS,
      requestsFor,
    });
    const before = await snapshot(platform, demo);
    const load = await httpLoad({
      url: demo.url,
      connections: opts.connections,
      durationS: opts.durationS,
      requestsFor,
    });
    const after = await snapshot(platform, demo);
    const per = (n: number) => (load.ok === 0 ? 0 : round(n / load.ok, 4));
    return {
      mode,
      load,
      perRequest: {
        verifyToken: per(after.verifyToken - before.verifyToken),
        getUserPermissions: per(after.getUserPermissions - before.getUserPermissions),
      },
      cpuMsPerRequest: {
        demo: per(after.demoCpuMs - before.demoCpuMs),
        platform: per(after.platformCpuMs - before.platformCpuMs),
      },
      revocationDelay: await revocationDelays(platform, demo.url, victims),
    };
  } finally {
    await stop(demo.child);
  }
}

/** Each victim: asked once (403: used, known to the demo), logged out, then asked until 401. */
async function revocationDelays(
  platform: Platform,
  demoUrl: string,
  victims: LoggedIn[],
): Promise<LatencyStats & { missed: number }> {
  const delays: number[] = [];
  let missed = 0;
  for (const victim of victims) {
    const ask = () =>
      request(demoUrl).post('/reports').set('Authorization', `Bearer ${victim.accessToken}`);
    const before = await ask();
    if (before.status !== 403) throw new Error(`victim answered ${before.status} before logout`);
    await request(platform.url)
      .post('/auth/logout')
      .set('Authorization', `Bearer ${victim.accessToken}`)
      .send({})
      .expect(204);
    const revokedAt = performance.now();
    for (;;) {
      const res = await ask();
      if (res.status === 401) {
        delays.push(performance.now() - revokedAt);
        break;
      }
      if (performance.now() - revokedAt > REVOCATION_TIMEOUT_MS) {
        missed += 1;
        break;
      }
    }
  }
  return { ...stats(delays), missed };
}

interface Demo {
  url: string;
  child: ChildProcess;
}

async function startDemo(mode: 'local' | 'platform', platform: Platform): Promise<Demo> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(testBuildDir(), 'apps/reporting-demo/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      REPORTING_PORT: String(port),
      IDENTITY_GRPC_ADDRESS: platform.grpcAddress,
      IDENTITY_JWKS_URL: `${platform.url}/.well-known/jwks.json`,
      IDENTITY_ISSUER: 'http://localhost:3000',
      IDENTITY_VERIFY_MODE: mode,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await until(
    async () => {
      const health = await fetch(`${url}/healthz`).then(
        (r) => (r.ok ? (r.json() as Promise<{ identity: string }>) : null),
        () => null,
      );
      // The local mode is measured once its revocation stream has caught up.
      return health !== null && (mode === 'platform' || health.identity === 'local');
    },
    20_000,
    () => `demo (${mode}) not ready\n${stderr}`,
  );
  return { url, child };
}

async function snapshot(platform: Platform, demo: Demo) {
  const text = await (await fetch(`${platform.url}/metrics`)).text();
  const calls = (method: string) =>
    [
      ...text.matchAll(
        new RegExp(
          `^identity_grpc_calls_total\\{method="identity\\.v1\\.IdentityService/${method}",code="[A-Z_]+"\\} (\\d+)$`,
          'gm',
        ),
      ),
    ].reduce((sum, m) => sum + Number(m[1]), 0);
  return {
    verifyToken: calls('VerifyToken'),
    getUserPermissions: calls('GetUserPermissions'),
    demoCpuMs: cpuMs(demo.child.pid),
    platformCpuMs: cpuMs(platform.process.child.pid),
  };
}

/** User + system CPU of a process so far, from /proc (Linux). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS;
  } catch {
    return 0;
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

async function until(
  done: () => Promise<boolean>,
  withinMs: number,
  failure: () => string,
): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((r) => setTimeout(r, 100));
  }
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Both modes as a small text table. */
export function formatSdkBench(result: SdkBenchResult): string {
  const head = [
    'mode',
    'req/s',
    'p50 ms',
    'p99 ms',
    'VerifyToken/req',
    'GetPerms/req',
    'demo CPU ms/req',
    'platform CPU ms/req',
    'revocation p50 ms',
    'p99 ms',
    'missed',
  ];
  const row = (r: SdkModeResult) => [
    r.mode,
    r.load.throughput.toFixed(0),
    r.load.latency.p50.toFixed(2),
    r.load.latency.p99.toFixed(2),
    r.perRequest.verifyToken.toFixed(3),
    r.perRequest.getUserPermissions.toFixed(4),
    r.cpuMsPerRequest.demo.toFixed(3),
    r.cpuMsPerRequest.platform.toFixed(3),
    r.revocationDelay.p50.toFixed(1),
    r.revocationDelay.p99.toFixed(1),
    String(r.revocationDelay.missed),
  ];
  const o = result.options;
  return [
    `SDK guard vs VerifyToken per request: POST /reports, ${o.connections} connections, ${o.users} users, ${o.durationS} s (after ${o.warmupS} s warm-up), ${o.revocations} revocations per mode; errors local ${result.local.load.errors}, platform ${result.platform.load.errors}`,
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    `| ${row(result.local).join(' | ')} |`,
    `| ${row(result.platform).join(' | ')} |`,
    '',
  ].join('\n');
}
