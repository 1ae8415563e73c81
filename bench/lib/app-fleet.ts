import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ProcessUsage } from '../child/protocol';
import { ChildHandle } from './child-handle';
import { PRODUCTION_RUNTIME_ENV } from './production-runtime';

/** Argon2id parameters of the app (and of the argon2 ceiling). */
export interface Argon2Params {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  /** Hashes at once (`ARGON2_CONCURRENCY`); the app's default is one per core. */
  concurrency: number;
}

/** The configured production parameters (README, `.env.example`). */
export const PRODUCTION_ARGON2: Argon2Params = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
  concurrency: availableParallelism(),
};
/** The tests' cheap parameters, for `--smoke` only. */
export const SMOKE_ARGON2: Argon2Params = {
  memoryCost: 1_024,
  timeCost: 1,
  parallelism: 1,
  concurrency: availableParallelism(),
};

export interface FleetConfig {
  databaseUrl: string;
  redisUrl: string;
  redisPrefix: string;
  argon2: Argon2Params;
  logLevel: string;
  logDir: string;
  /** The parent's UV_THREADPOOL_SIZE (if any), handed to the app and the argon2 ceiling alike. */
  threadpool?: string;
  /** Write a V8 CPU profile of each instance into this directory (when it exits). */
  cpuProfileDir?: string;
  /** Extra Node flags for every instance (e.g. `--max-old-space-size=160`). */
  nodeFlags?: string[];
}

/** The `iss`/`aud` the app mints with under {@link appEnvironment}. */
export const BENCH_APP_URL = 'https://identity.bench.invalid';
export const BENCH_AUDIENCE = 'identity';
/**
 * All load comes from 127.0.0.1, so the per-IP `/auth/*` budget (600/min by default) would
 * answer 429 within a second. The limiter still runs on every request as in production (counted
 * in Redis a lease at a time, `AUTH_PER_IP_LEASE`); only its budget is raised. Login failure limits are untouched: the
 * bench's logins all succeed.
 */
export const BENCH_AUTH_PER_IP_PER_MINUTE = '1000000000';

export interface AppInstance {
  label: string;
  handle: ChildHandle;
  url: string;
  grpcAddress: string;
}

/** Usage of every running instance over one window: CPU summed, RSS the highest. */
export interface FleetUsage {
  cpuPercent: number;
  peakRssMb: number;
  instances: (ProcessUsage & { label: string })[];
}

/**
 * The app instances of a run, each a child process started like production: NODE_ENV=
 * production, Postgres and Redis, SMTP configured (never used by the benched flows),
 * secrets of this run, the configured argon2 parameters.
 */
export class AppFleet {
  readonly instances: AppInstance[] = [];
  private readonly pepper = randomBytes(32).toString('base64');
  private readonly kek = randomBytes(32).toString('base64');

  constructor(readonly config: FleetConfig) {}

  /** The environment an instance is started with (also printed into the results). */
  environment(grpcPort: number): Record<string, string> {
    const c = this.config;
    return {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: '0',
      GRPC_PORT: String(grpcPort),
      // Loopback only, and the bench measures the service, not TLS: plaintext on purpose.
      GRPC_INSECURE: 'true',
      DATABASE_URL: c.databaseUrl,
      REDIS_URL: c.redisUrl,
      REDIS_KEY_PREFIX: c.redisPrefix,
      SMTP_URL: 'smtp://127.0.0.1:9',
      APP_URL: BENCH_APP_URL,
      PASSWORD_PEPPER: this.pepper,
      KEY_ENCRYPTION_KEY: this.kek,
      ARGON2_MEMORY_KIB: String(c.argon2.memoryCost),
      ARGON2_TIME_COST: String(c.argon2.timeCost),
      ARGON2_PARALLELISM: String(c.argon2.parallelism),
      ARGON2_CONCURRENCY: String(c.argon2.concurrency),
      AUTH_PER_IP_PER_MINUTE: BENCH_AUTH_PER_IP_PER_MINUTE,
      // The webhook scenario's receiver listens on 127.0.0.1, which production refuses.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      // No load balancer in front: nothing to wait for when an instance stops.
      SHUTDOWN_DRAIN_DELAY_MS: '0',
      LOG_LEVEL: c.logLevel,
      // As the production image runs (heap cap, malloc arenas); --app-node-flags add to it.
      ...PRODUCTION_RUNTIME_ENV,
      ...(c.threadpool ? { UV_THREADPOOL_SIZE: c.threadpool } : {}),
    };
  }

  async start(label: string): Promise<AppInstance> {
    const handle = await ChildHandle.spawn(
      'app',
      {},
      {
        env: this.environment(await freePort()),
        logFile: join(this.config.logDir, `app-${label}.log`),
        readyTimeoutMs: 90_000,
        execArgv: [
          ...(this.config.nodeFlags ?? []),
          ...(this.config.cpuProfileDir
            ? ['--cpu-prof', '--cpu-prof-dir', this.config.cpuProfileDir]
            : []),
        ],
      },
    );
    const url = handle.info.url;
    const grpcAddress = handle.info.grpcAddress;
    if (!url || !grpcAddress) throw new Error('app did not report its addresses');
    const instance = { label, handle, url, grpcAddress };
    this.instances.push(instance);
    return instance;
  }

  async stop(instance: AppInstance): Promise<void> {
    const i = this.instances.indexOf(instance);
    if (i >= 0) this.instances.splice(i, 1);
    await instance.handle.stop();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.instances].map((i) => this.stop(i)));
  }

  async resetUsage(): Promise<void> {
    await Promise.all(this.instances.map((i) => i.handle.resetUsage()));
  }

  async readUsage(): Promise<FleetUsage> {
    const instances = await Promise.all(
      this.instances.map(async (i) => ({ label: i.label, ...(await i.handle.readUsage()) })),
    );
    return {
      cpuPercent: Math.round(instances.reduce((s, u) => s + u.cpuPercent, 0) * 10) / 10,
      peakRssMb: Math.max(0, ...instances.map((u) => u.peakRssMb)),
      instances,
    };
  }
}

/** A TCP port free on 127.0.0.1 a moment ago (gRPC needs a fixed port in the config). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
