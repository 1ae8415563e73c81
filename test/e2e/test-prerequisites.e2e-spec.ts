/**
 * scripts/test-prerequisites.sh, which `npm test` runs first (pretest) and .ci/run runs too:
 * - with everything present it installs and starts nothing, quickly, in at most one line;
 * - where it cannot install (not root, no passwordless sudo) it stops with one message naming
 *   the command to run and a non-zero exit, before any test runs;
 * - as root it installs what is missing with apt-get under a policy-rc.d answering 101 (no
 *   system nginx on :80), removes that file, and starts a local PostgreSQL/Redis that does not
 *   answer; a second run then does nothing;
 * - TEST_DATABASE_URL / TEST_REDIS_URL pointing elsewhere are only checked, never started.
 *
 * The system tools the script drives (id, sudo, apt-get, pg_ctlcluster, redis-server and, for
 * the start-up cases, pg_isready/redis-cli) are played by shims on a PATH of the test's own
 * that record every call; the machine's real PostgreSQL and Redis are only ever asked
 * whether they answer, never stopped or started. TEST_PREREQ_BIN_DIRS (where nginx/chromium
 * are looked for) and TEST_PREREQ_SYSROOT (prefix of /etc/postgresql and
 * /usr/sbin/policy-rc.d) keep the script off the machine's own.
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../support/ports';

const SCRIPT = resolve(__dirname, '../../scripts/test-prerequisites.sh');
/** The quiet path runs in well under a second; a wait for a service would take 60 s. */
const QUICK_MS = 5000;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

interface Sandbox {
  dir: string;
  /** Prepended to PATH: the shims of system tools. */
  shims: string;
  /** TEST_PREREQ_BIN_DIRS: where nginx and chromium are looked for. */
  bins: string;
  /** TEST_PREREQ_SYSROOT. */
  sysroot: string;
  policy: string;
  /** Every shim call: `name [arg1][arg2]...`, one a line. */
  calls(): string[];
  run(env?: Record<string, string | undefined>): Promise<Run>;
}

const sandboxes: string[] = [];
afterAll(() => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

function executable(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

function makeSandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'test-prereq-'));
  sandboxes.push(dir);
  const shims = join(dir, 'shims');
  const bins = join(dir, 'bins');
  const sysroot = join(dir, 'root');
  for (const d of [shims, bins, join(sysroot, 'usr/sbin'), join(sysroot, 'etc')]) {
    mkdirSync(d, { recursive: true });
  }
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  return {
    dir,
    shims,
    bins,
    sysroot,
    policy: join(sysroot, 'usr/sbin/policy-rc.d'),
    calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean),
    run: (env = {}) =>
      runScript({
        ...process.env,
        SANDBOX_LOG: log,
        PATH: `${shims}:${process.env.PATH ?? '/usr/bin:/bin'}`,
        TEST_PREREQ_BIN_DIRS: bins,
        TEST_PREREQ_SYSROOT: sysroot,
        ...env,
      }),
  };
}

/** A shim that appends `name [arg]...` to the sandbox's log, then runs `body`. */
function recordingShim(box: Sandbox, name: string, body = 'exit 0'): void {
  executable(
    join(box.shims, name),
    `{ printf '%s' '${name}'; for a in "$@"; do printf ' [%s]' "$a"; done; echo; } >> "$SANDBOX_LOG"\n${body}`,
  );
}

/** Shims for everything that installs or starts: a call shows in calls(). */
function recordEverythingThatChangesTheMachine(box: Sandbox): void {
  recordingShim(box, 'apt-get');
  recordingShim(box, 'pg_ctlcluster');
  recordingShim(box, 'redis-server');
}

function runScript(env: Record<string, string | undefined>): Promise<Run> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', [SCRIPT], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    // A script stuck waiting for a service must not outlive the test (its wait is 60 s).
    const stop = setTimeout(() => child.kill('SIGTERM'), 20_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(stop);
      resolvePromise({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function lines(text: string): string[] {
  return text.split('\n').filter(Boolean);
}

describe('scripts/test-prerequisites.sh', () => {
  it('with nginx, chromium, PostgreSQL and Redis present installs and starts nothing, quickly, in one line', async () => {
    const box = makeSandbox();
    executable(join(box.bins, 'nginx'), 'exit 0');
    executable(join(box.bins, 'chromium'), 'exit 0');
    recordEverythingThatChangesTheMachine(box);
    recordingShim(box, 'sudo', 'exit 1');

    // The machine's own PostgreSQL and Redis (TEST_DATABASE_URL / TEST_REDIS_URL when set).
    const run = await box.run();

    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(lines(run.stdout).length).toBeLessThanOrEqual(1);
    expect(box.calls()).toEqual([]);
    expect(run.ms).toBeLessThan(QUICK_MS);
  });

  it('not root and no passwordless sudo: stops before the tests with the command to run, installing nothing', async () => {
    const box = makeSandbox();
    executable(join(box.bins, 'chromium'), 'exit 0'); // nginx is the one missing
    recordEverythingThatChangesTheMachine(box);
    executable(join(box.shims, 'id'), 'echo 1000');
    recordingShim(box, 'sudo', 'echo "sudo: a password is required" >&2; exit 1');

    const run = await box.run();

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('the tests cannot run on this machine yet');
    expect(run.stderr).toContain('nginx is not installed');
    expect(run.stderr).toContain('not root, no passwordless sudo');
    expect(run.stderr).toContain('`sudo apt-get install -y --no-install-recommends nginx`');
    expect(run.stderr).not.toContain('chromium');
    // Only the probe for passwordless sudo: nothing installed, nothing started.
    expect(box.calls()).toEqual(['sudo [-n] [true]']);
    expect(existsSync(box.policy)).toBe(false);
    expect(run.ms).toBeLessThan(QUICK_MS);
  });

  describe('as root on a machine with nothing present', () => {
    /** apt-get "installs" a package by creating its binary; failing packages install nothing. */
    function rootMachine(failing: string[] = []): Sandbox {
      const box = makeSandbox();
      executable(join(box.shims, 'id'), 'echo 0');
      recordingShim(box, 'sudo', 'exit 1');
      recordingShim(
        box,
        'apt-get',
        [
          `if [ -x '${box.policy}' ]; then sh '${box.policy}'; echo "  policy-rc.d exit $?" >> "$SANDBOX_LOG"; fi`,
          '[ "$1" = install ] || exit 0',
          `echo "  DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> "$SANDBOX_LOG"`,
          'for a in "$@"; do case "$a" in ' +
            failing.map((p) => `${p}) exit 100;;`).join(' ') +
            ' -*|install) ;; *) pkgs="$pkgs $a";; esac; done',
          `for p in $pkgs; do printf '#!/bin/sh\\n' > '${box.bins}'/$p; chmod 755 '${box.bins}'/$p; done`,
        ].join('\n'),
      );
      // Local services that answer only once started (markers in the sandbox).
      executable(join(box.shims, 'pg_isready'), `[ -e '${box.dir}/pg.up' ] || exit 2`);
      recordingShim(box, 'pg_ctlcluster', `touch '${box.dir}/pg.up'`);
      executable(
        join(box.shims, 'redis-cli'),
        `if [ -e '${box.dir}/redis.up' ]; then echo PONG; else echo 'Could not connect' >&2; exit 1; fi`,
      );
      recordingShim(box, 'redis-server', `touch '${box.dir}/redis.up'`);
      // Two clusters: 15 is the newest (a plain string sort would pick 9.6).
      mkdirSync(join(box.sysroot, 'etc/postgresql/9.6/main'), { recursive: true });
      mkdirSync(join(box.sysroot, 'etc/postgresql/15/main'), { recursive: true });
      return box;
    }
    const local = { TEST_DATABASE_URL: undefined, TEST_REDIS_URL: undefined };

    it('installs nginx and chromium with no service started, starts PostgreSQL and Redis on loopback, and a second run does nothing', async () => {
      const box = rootMachine();
      const run = await box.run({ ...local, TMPDIR: box.dir });

      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(box.calls()).toEqual([
        'apt-get [update]',
        '  policy-rc.d exit 101',
        'apt-get [install] [-y] [--no-install-recommends] [nginx] [chromium]',
        '  policy-rc.d exit 101',
        '  DEBIAN_FRONTEND=noninteractive',
        'pg_ctlcluster [--skip-systemctl-redirect] [15] [main] [start]',
        `redis-server [--daemonize] [yes] [--bind] [127.0.0.1] [--port] [6379] [--save] [] [--appendonly] [no] [--dir] [${box.dir}]`,
      ]);
      expect(existsSync(box.policy)).toBe(false);
      const firstCalls = box.calls();

      const again = await box.run({ ...local, TMPDIR: box.dir });
      expect(again.status).toBe(0);
      expect(again.stderr).toBe('');
      expect(lines(again.stdout).length).toBeLessThanOrEqual(1);
      expect(box.calls()).toEqual(firstCalls); // nothing more
      expect(again.ms).toBeLessThan(QUICK_MS);
    });

    it('a package apt-get cannot install does not keep the other out, fails the run by name, and the policy-rc.d is removed', async () => {
      const box = rootMachine(['chromium']);
      const run = await box.run(local);

      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain('apt-get could not install chromium');
      expect(run.stderr).toContain('apt-get install -y --no-install-recommends chromium');
      expect(box.calls().filter((c) => c.startsWith('apt-get [install]'))).toEqual([
        'apt-get [install] [-y] [--no-install-recommends] [nginx] [chromium]',
        'apt-get [install] [-y] [--no-install-recommends] [nginx]',
        'apt-get [install] [-y] [--no-install-recommends] [chromium]',
      ]);
      expect(existsSync(join(box.bins, 'nginx'))).toBe(true);
      expect(existsSync(box.policy)).toBe(false);
    });

    it('leaves a policy-rc.d that was already there in place', async () => {
      const box = rootMachine();
      executable(box.policy, "exit 0 # the machine owner's");
      const run = await box.run(local);

      expect(run.status).toBe(0);
      expect(readFileSync(box.policy, 'utf8')).toContain("the machine owner's");
    });
  });

  it('TEST_DATABASE_URL / TEST_REDIS_URL pointing elsewhere are checked, never started, and fail the run by name', async () => {
    const box = makeSandbox();
    executable(join(box.bins, 'nginx'), 'exit 0');
    executable(join(box.bins, 'chromium'), 'exit 0');
    recordEverythingThatChangesTheMachine(box);
    executable(join(box.shims, 'id'), 'echo 0'); // it could start them, if it wanted to
    const [pgPort, redisPort] = [await freePort(), await freePort()];

    // The machine's real pg_isready / redis-cli, against ports where nothing listens.
    const run = await box.run({
      TEST_DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/postgres`,
      TEST_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });

    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('PostgreSQL at TEST_DATABASE_URL does not answer');
    expect(run.stderr).toContain('Redis at TEST_REDIS_URL does not answer');
    expect(box.calls()).toEqual([]);
    expect(run.ms).toBeLessThan(QUICK_MS * 2);
  });
});
