import { type ChildProcess, fork } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ChildMessage,
  ChildReply,
  ChildRequest,
  ChildRole,
  ProcessUsage,
} from '../child/protocol';

export interface SpawnOptions {
  /** The child's whole environment (nothing is inherited but what is listed). */
  env: Record<string, string>;
  /** stdout and stderr go here (the app's pino logs). */
  logFile: string;
  readyTimeoutMs?: number;
  /** Node flags, e.g. `--cpu-prof` (`--cpu-prof` in the bench options). */
  execArgv?: string[];
}

const CHILD_MAIN = join(__dirname, '../child/main.js');

/** One child process of the bench (app instance, bare server or raw loop) and its IPC channel. */
export class ChildHandle {
  private nextId = 1;
  private readonly pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void }
  >();
  private exited = false;

  private constructor(
    readonly role: ChildRole,
    readonly child: ChildProcess,
    readonly info: Record<string, string>,
    readonly logFile: string,
  ) {
    child.on('message', (m: ChildMessage) => {
      if (!('id' in m)) return;
      this.settle(m);
    });
    child.once('exit', (code, signal) => {
      this.exited = true;
      for (const { reject } of this.pending.values()) {
        reject(new Error(`${role} exited (${code ?? signal}); log: ${logFile}`));
      }
      this.pending.clear();
    });
  }

  /**
   * Starts `role` and waits until it reports ready.
   * @throws when it fails to start or stays silent past the timeout (its log tail included).
   */
  static async spawn(role: ChildRole, args: unknown, options: SpawnOptions): Promise<ChildHandle> {
    const fd = openSync(options.logFile, 'a');
    const child = fork(CHILD_MAIN, [role, JSON.stringify(args ?? {})], {
      env: options.env,
      stdio: ['ignore', fd, fd, 'ipc'],
      execArgv: options.execArgv ?? [],
    });
    closeSync(fd);
    const info = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`${role} not ready in time\n${tail(options.logFile)}`));
      }, options.readyTimeoutMs ?? 60_000);
      child.on('message', (m: ChildMessage) => {
        if ('ready' in m) {
          clearTimeout(timer);
          resolve(m.info);
        } else if ('failed' in m) {
          clearTimeout(timer);
          reject(new Error(`${role} failed to start: ${m.failed}\n${tail(options.logFile)}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${role} exited with ${code} while starting\n${tail(options.logFile)}`));
      });
    });
    return new ChildHandle(role, child, info, options.logFile);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Sends a command and waits for its answer (bounded by `timeoutMs`). */
  request<T>(cmd: string, args?: unknown, timeoutMs = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.role} has exited`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.role}: ${cmd} timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.send({ id, cmd, args } satisfies ChildRequest);
    });
  }

  resetUsage(): Promise<void> {
    return this.request('usage.reset');
  }

  readUsage(): Promise<ProcessUsage> {
    return this.request('usage.read');
  }

  /** Graceful close (the app drains), then SIGKILL if it is still there after `graceMs`. */
  async stop(graceMs = 15_000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.request('close', undefined, graceMs).catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(timer);
  }

  private settle(reply: ChildReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new Error(`${this.role}: ${reply.error ?? 'failed'}`));
  }
}

/** The last lines of a child's log, for error messages. */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
