import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { testRunId } from './database';

const ROOT = join(__dirname, '../..');

/** Where global-setup compiles the app for tests that run it as a real process (per run). */
export function testBuildDir(): string {
  return join(ROOT, '.test-build', testRunId());
}

function testMain(): string {
  return join(testBuildDir(), 'apps/identity/src/main.js');
}

/** Compiles the app exactly as `npm run build` does, into `.test-build/`. */
export function buildForTests(): void {
  execFileSync(
    join(ROOT, 'node_modules/.bin/swc'),
    [
      'apps',
      'libs',
      'migrations',
      'proto',
      '-d',
      testBuildDir(),
      '--config-file',
      '.swcrc',
      '--copy-files',
      '--quiet',
    ],
    { cwd: ROOT, stdio: 'inherit' },
  );
}

export interface IdentityProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  exited: Promise<number | string>;
}

/**
 * Runs the built app as a real process with exactly `env` (plus PATH); `args` replace the
 * server entry (e.g. the CLI's entry and a command).
 */
export function spawnIdentity(
  env: Record<string, string>,
  cwd = ROOT,
  args: string[] = [testMain()],
): IdentityProcess {
  const entry = args[0] ?? testMain();
  if (!existsSync(entry)) throw new Error(`${entry} missing: global-setup builds it`);
  const child = spawn(process.execPath, args, {
    cwd,
    // No load balancer to wait for on SIGTERM unless a test says otherwise.
    env: { PATH: process.env.PATH ?? '', SHUTDOWN_DRAIN_DELAY_MS: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls `url` until it answers (any status) or `timeoutMs` passes. */
export async function waitForHttp(
  url: string,
  proc?: IdentityProcess,
  timeoutMs = 20_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > until || proc?.child.exitCode != null) {
        throw new Error(
          `${url} did not answer within ${timeoutMs} ms\n${proc?.stdout() ?? ''}\n${proc?.stderr() ?? ''}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
