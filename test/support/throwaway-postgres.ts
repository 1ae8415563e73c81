import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';

/** The newest PostgreSQL server binaries of the Debian layout (/usr/lib/postgresql/<v>/bin). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  if (!versions[0]) throw new Error(`no PostgreSQL server under ${root}`);
  return join(root, versions[0], 'bin');
}

/**
 * A PostgreSQL server of its own for one test file, in a temporary directory on a free
 * loopback port, for tests that must stop the database under a running app (the shared
 * server on :5432 cannot be stopped). Postgres refuses to run as root, so as root it runs as
 * the `postgres` system user. Trust auth, no fsync: throwaway data.
 */
export class ThrowawayPostgres {
  private running = false;

  private constructor(
    private readonly dir: string,
    readonly port: number,
    private readonly asUser: string | undefined,
  ) {}

  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async start(): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'pg-throwaway-'));
    const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
    if (asUser) {
      const uid = Number(execFileSync('id', ['-u', asUser]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', asUser]).toString().trim());
      chownSync(dir, uid, gid);
    }
    const pg = new ThrowawayPostgres(dir, await freePort(), asUser);
    pg.run('initdb', [
      '-D',
      pg.dataDir,
      '-A',
      'trust',
      '-U',
      'postgres',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    pg.pgCtl(['start', '-w', '-t', '20', '-l', join(dir, 'server.log'), '-o', pg.serverOptions()]);
    pg.running = true;
    return pg;
  }

  /** Stops the server (fast shutdown: open connections are terminated, 57P01). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.pgCtl(['stop', '-w', '-m', 'fast']);
  }

  /** Starts a stopped server again on the same port and data (a restart's second half). */
  startAgain(): void {
    if (this.running) return;
    this.pgCtl([
      'start',
      '-w',
      '-t',
      '20',
      '-l',
      join(this.dir, 'server.log'),
      '-o',
      this.serverOptions(),
    ]);
    this.running = true;
  }

  /** Stops it if need be and deletes its data. */
  destroy(): void {
    try {
      this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  private get dataDir(): string {
    return join(this.dir, 'data');
  }

  private serverOptions(): string {
    return [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-k ${this.dir}`,
      '-c fsync=off',
      '-c max_connections=30',
    ].join(' ');
  }

  private pgCtl(args: string[]): void {
    this.run('pg_ctl', ['-D', this.dataDir, ...args]);
  }

  private run(tool: string, args: string[]): void {
    const bin = join(postgresBinDir(), tool);
    const [cmd, argv] = this.asUser
      ? ['runuser', ['-u', this.asUser, '--', bin, ...args]]
      : [bin, args];
    execFileSync(cmd, argv, { stdio: 'pipe', cwd: this.dir });
  }
}
