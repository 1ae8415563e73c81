import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { MailCatcher } from '../../test/support/mail-catcher';
import { freePort } from '../../test/support/ports';
import { ThrowawayPostgres } from '../../test/support/throwaway-postgres';
import { ThrowawayRedis } from '../../test/support/throwaway-redis';
import { sleep } from './http';

/** Drain delay of the suite's instances: shorter than the default, still a real drain. */
export const DRAIN_DELAY_MS = 2_000;

/** A running instance of the app, a real process built by `npm run build`. */
export interface AppProcess {
  child: ChildProcess;
  exited: Promise<number | string>;
}

/**
 * Everything the experiments break, all on loopback and all the suite's own: a throwaway
 * PostgreSQL (initdb on a free port), a redis-server, an SMTP sink, and the app as a real
 * process on fixed ports (so a restarted instance answers where the last one did).
 */
export class FaultLab {
  private app: AppProcess | undefined;
  private logFile: WriteStream;
  private generation = 0;

  private constructor(
    readonly pg: ThrowawayPostgres,
    readonly redis: ThrowawayRedis,
    readonly smtp: MailCatcher,
    readonly port: number,
    private readonly env: Record<string, string>,
    readonly logDir: string,
  ) {
    this.logFile = createWriteStream(join(logDir, 'app.log'));
  }

  static async start(logDir: string): Promise<FaultLab> {
    const pg = await ThrowawayPostgres.start();
    const redis = await ThrowawayRedis.start();
    const smtp = new MailCatcher();
    const smtpPort = await smtp.start();
    const port = await freePort();
    const env = {
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      GRPC_INSECURE: 'true',
      APP_URL: 'https://identity.faults.invalid',
      DATABASE_URL: pg.url,
      DATABASE_MIGRATIONS_RUN: 'true',
      DATABASE_POOL_SIZE: '6',
      REDIS_URL: redis.url,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PASSWORD_PEPPER: randomBytes(32).toString('base64'),
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      // Cheap hashing: the suite is about faults, not argon2 (the real one still runs).
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      // All load comes from 127.0.0.1: per-IP budgets sized for real traffic would throttle it.
      AUTH_PER_IP_PER_MINUTE: '1000000',
      MAIL_PER_IP_PER_HOUR: '100000',
      OUTBOX_POLL_INTERVAL_MS: '200',
      SHUTDOWN_DRAIN_DELAY_MS: String(DRAIN_DELAY_MS),
      LOG_LEVEL: 'info',
    };
    return new FaultLab(pg, redis, smtp, port, env, logDir);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): AppProcess | undefined {
    return this.app;
  }

  /** Starts an instance and waits until it answers /healthz; resolves with when it did. */
  async startApp(): Promise<number> {
    this.generation += 1;
    const label = `instance ${this.generation}`;
    const child = spawn(process.execPath, [join(__dirname, '../../apps/identity/src/main.js')], {
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const write = (d: Buffer) => this.logFile.write(d);
    child.stdout?.on('data', write);
    child.stderr?.on('data', write);
    this.logFile.write(`--- ${label} started at ${new Date().toISOString()}\n`);
    const exited = new Promise<number | string>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
    );
    const app: AppProcess = { child, exited };
    this.app = app;
    const until = Date.now() + 30_000;
    for (;;) {
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return Date.now();
      if (child.exitCode !== null || Date.now() > until) {
        throw new Error(`${label} did not start; see ${join(this.logDir, 'app.log')}`);
      }
      await sleep(50);
    }
  }

  /** SIGKILL: a crash, no drain. */
  async killApp(): Promise<void> {
    const app = this.app;
    if (!app) return;
    app.child.kill('SIGKILL');
    await app.exited;
    this.app = undefined;
  }

  /** SIGTERM; resolves with the exit code once the instance has drained and exited. */
  async terminateApp(): Promise<number | string> {
    const app = this.app;
    if (!app) return -1;
    app.child.kill('SIGTERM');
    const code = await app.exited;
    this.app = undefined;
    return code;
  }

  /** Waits until /readyz answers 200 (the instance and its dependencies are whole again). */
  async untilReady(timeoutMs = 30_000): Promise<number> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const ok = await fetch(`${this.url}/readyz`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) return Date.now();
      if (Date.now() > until) throw new Error('the instance did not become ready');
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    await this.killApp().catch(() => undefined);
    await this.redis.kill().catch(() => undefined);
    await this.smtp.stop().catch(() => undefined);
    try {
      this.pg.destroy();
    } catch {
      // already gone
    }
    await new Promise<void>((resolve) => this.logFile.end(() => resolve()));
  }
}
