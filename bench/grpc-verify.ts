/**
 * `npm run bench:grpc [-- --seconds 10 --concurrency 64]`: load on gRPC `VerifyToken`, and the
 * ceiling it is measured against.
 *
 * 1. The identity service (the real app, in a child process: `DATABASE_URL`/`REDIS_URL` from
 *    the environment, else embedded PGlite in a temporary directory and the in-memory kv)
 *    gets `concurrency` calls in flight for `seconds`, all with one real access token.
 * 2. The ceiling: a bare grpc-js server (another child process) on the same proto whose
 *    handler only runs the same jose verification (same key, algorithm, issuer, audience,
 *    type) on the same token, under the same load.
 * Each run is preceded by a one-second warm-up. Prints calls/s, p50 and p99 latency, errors,
 * and the ratio of the two throughputs. Not a test: `bench/grpc-verify.smoke.e2e-spec.ts`
 * runs the parts for one second.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Client,
  credentials,
  Metadata,
  Server,
  ServerCredentials,
  type ServiceError,
  type sendUnaryData,
  type ServerUnaryCall,
} from '@grpc/grpc-js';
import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { loadConfig } from '@identity/config';
import { startApp } from '../apps/identity/src/bootstrap/start-app';
import { benchUserToken } from './grpc-verify.fixture';
import { identityService } from './lib/identity-proto';

/** What the load is measured against: an address and the token every call presents. */
export interface Target {
  address: string;
  token: string;
}

/** What the ceiling server needs to verify the token exactly as the platform does. */
export interface VerificationKeyInfo {
  jwk: JWK;
  alg: string;
  issuer: string;
  audience: string;
}

export interface LoadResult {
  calls: number;
  errors: number;
  /** Calls answered but not `active` (a broken set-up: the token should stay good). */
  inactive: number;
  seconds: number;
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

type VerifyReply = { active: boolean };
type VerifyClient = Client & { VerifyToken: VerifyCall };
type VerifyCall = (
  request: { token: string; audience: string },
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, reply: VerifyReply) => void,
) => void;

/** Several HTTP/2 connections share the load, as several client instances would. */
const CHANNELS = 4;

/**
 * Keeps `concurrency` VerifyToken calls in flight for `durationMs` and measures each call's
 * latency.
 */
export async function runLoad(options: {
  target: Target;
  concurrency: number;
  durationMs: number;
}): Promise<LoadResult> {
  const Service = identityService();
  const clients = Array.from(
    { length: CHANNELS },
    (_, i) =>
      new Service(options.target.address, credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
        'bench.channel': i,
      }) as unknown as VerifyClient,
  );
  const latencies: number[] = [];
  let errors = 0;
  let inactive = 0;
  const started = process.hrtime.bigint();
  const deadline = Date.now() + options.durationMs;
  const call = (client: VerifyClient) =>
    new Promise<void>((resolve) => {
      const t0 = process.hrtime.bigint();
      client.VerifyToken(
        { token: options.target.token, audience: '' },
        new Metadata(),
        { deadline: Date.now() + 5_000 },
        (err, reply) => {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (err) errors += 1;
          else if (!reply.active) inactive += 1;
          resolve();
        },
      );
    });
  const worker = async (i: number) => {
    const client = clients[i % CHANNELS]!;
    while (Date.now() < deadline) await call(client);
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, i) => worker(i)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const c of clients) c.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    calls: latencies.length,
    errors,
    inactive,
    seconds,
    callsPerSecond: latencies.length / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

/**
 * The ceiling: a grpc-js server on the same proto whose VerifyToken only runs jose's
 * `jwtVerify` with the platform's options, and answers `active` with the claims.
 */
export async function startBareVerifier(
  key: VerificationKeyInfo,
): Promise<{ address: string; close(): Promise<void> }> {
  const publicKey = await importJWK(key.jwk, key.alg);
  const server = new Server();
  server.addService(identityService().service, {
    VerifyToken: (
      call: ServerUnaryCall<{ token: string; audience: string }, unknown>,
      callback: sendUnaryData<unknown>,
    ) => {
      jwtVerify(call.request.token, publicKey, {
        algorithms: [key.alg],
        typ: 'at+jwt',
        issuer: key.issuer,
        audience: call.request.audience || key.audience,
        clockTolerance: 5,
      }).then(
        ({ payload }) =>
          callback(null, {
            active: true,
            user_id: payload.sub,
            session_id: payload.sid,
            jti: payload.jti,
            expires_at: payload.exp,
          }),
        () => callback(null, { active: false, reason: 'invalid' }),
      );
    },
    GetUserPermissions: (_call: unknown, callback: sendUnaryData<unknown>) => callback(null, {}),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}

/** A TCP port that was free a moment ago (the app's gRPC port must be given, not 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Messages between the orchestrating parent and the server children. */
type ChildReady = { ready: true; target: Target; key?: VerificationKeyInfo; mode?: string };

/**
 * Child: boots the real platform, signs up one user (straight through the repositories: no
 * mail round trip), opens a session and reports its access token and verification key.
 */
async function serveIdentity(): Promise<void> {
  const dataDir = process.env.DATABASE_URL ? undefined : mkdtempSync(join(tmpdir(), 'bench-grpc-'));
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    GRPC_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
  });
  const running = await startApp(config, { logStream: { write: () => true } });
  const { token, key } = await benchUserToken(running.app, config);
  const ready: ChildReady = {
    ready: true,
    target: { address: running.grpcAddress, token },
    key,
    mode: `${running.database.kind} database, ${running.kv} kv`,
  };
  process.send?.(ready);
  process.once('disconnect', () => {
    void running.shutdown().finally(() => {
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
      process.exit(0);
    });
  });
}

/** Child: the bare verifier, keyed by the parent's first message. */
function serveBare(): void {
  process.once('message', (key: VerificationKeyInfo) => {
    void startBareVerifier(key).then(({ address }) => {
      const ready: ChildReady = { ready: true, target: { address, token: '' } };
      process.send?.(ready);
    });
  });
  process.once('disconnect', () => process.exit(0));
}

function spawnServer(role: 'identity' | 'bare', key?: VerificationKeyInfo) {
  const child = fork(__filename, ['--serve', role], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = new Promise<ChildReady>((resolve, reject) => {
    child.once('message', (m: ChildReady) => resolve(m));
    child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)));
  });
  if (key) child.send(key);
  return { ready, stop: () => child.disconnect() };
}

function argument(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

function describe(label: string, r: LoadResult): string {
  return (
    `${label.padEnd(18)} ${r.callsPerSecond.toFixed(0).padStart(7)} calls/s   ` +
    `p50 ${r.p50Ms.toFixed(2)} ms   p99 ${r.p99Ms.toFixed(2)} ms   ` +
    `(${r.calls} calls, ${r.errors} errors, ${r.inactive} inactive)`
  );
}

/** Measures one target: a one-second warm-up, then the timed run. */
async function measure(target: Target, concurrency: number, seconds: number): Promise<LoadResult> {
  await runLoad({ target, concurrency, durationMs: 1_000 });
  return runLoad({ target, concurrency, durationMs: seconds * 1_000 });
}

async function main(): Promise<void> {
  const seconds = argument('seconds', 10);
  const concurrency = argument('concurrency', 64);
  const identity = spawnServer('identity');
  const booted = await identity.ready;
  if (!booted.key) throw new Error('the identity server sent no key');
  process.stdout.write(
    `gRPC VerifyToken, concurrency ${concurrency}, ${seconds} s per target (${booted.mode})\n`,
  );
  const full = await measure(booted.target, concurrency, seconds);
  identity.stop();
  process.stdout.write(`${describe('identity service', full)}\n`);

  const bare = spawnServer('bare', booted.key);
  const bareTarget = { ...(await bare.ready).target, token: booted.target.token };
  const ceiling = await measure(bareTarget, concurrency, seconds);
  bare.stop();
  process.stdout.write(`${describe('bare jose verify', ceiling)}\n`);
  process.stdout.write(
    `ratio              ${(full.callsPerSecond / ceiling.callsPerSecond).toFixed(2)} of the ceiling\n`,
  );
}

if (require.main === module) {
  const role = process.argv[2] === '--serve' ? process.argv[3] : undefined;
  const run =
    role === 'identity' ? serveIdentity() : role === 'bare' ? Promise.resolve(serveBare()) : main();
  run.catch((err: unknown) => {
    process.stderr.write(
      `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}

/** The `kid` the token names (for picking its key out of the JWKS). */
export function kidOf(token: string): string | undefined {
  return decodeProtectedHeader(token).kid;
}
