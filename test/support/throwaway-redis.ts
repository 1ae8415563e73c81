import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort } from './ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A redis-server of its own on a free loopback port, memory only, for tests (and the fault
 * suite) that must kill Redis under a running app: the shared server on :6379 cannot be
 * stopped. `kill()` is a crash (SIGKILL); `start()` again brings up an empty server on the
 * same port, as a Redis without persistence comes back after a restart.
 */
export class ThrowawayRedis {
  private child: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<ThrowawayRedis> {
    const redis = new ThrowawayRedis(await freePort());
    await redis.start();
    return redis;
  }

  /** Starts (or restarts, empty) the server and waits until it answers PING. */
  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    this.child = child;
    child.once('exit', () => {
      if (this.child === child) this.child = undefined;
    });
    for (let i = 0; i < 100; i++) {
      if (this.cli('ping').status === 0) return;
      await sleep(50);
    }
    throw new Error(`redis-server did not start on port ${this.port}`);
  }

  /** A crash: SIGKILL, and waits until the port no longer answers. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }

  /** Deletes every key (a Redis that lost its data without going away). */
  flushAll(): void {
    if (this.cli('flushall').status !== 0) throw new Error('redis-cli flushall failed');
  }

  private cli(...args: string[]) {
    return spawnSync('redis-cli', ['-p', String(this.port), ...args], { stdio: 'ignore' });
  }
}
