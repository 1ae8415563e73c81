import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { freePort } from './ports';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A primary, a replica and three Sentinels (quorum 2), all the machine's `redis-server` on free
 * loopback ports, memory only, in a temp dir: a real Sentinel failover for tests. Timings are
 * short (down after 1 s) so a failover takes a few seconds.
 */
export class RedisSentinelSet {
  private readonly children = new Map<number, ChildProcess>();
  private readonly admin = new Map<number, Redis>();

  private constructor(
    readonly masterName: string,
    private readonly dir: string,
    /** Data nodes in start order: [0] the first primary, [1] its replica. */
    readonly dataPorts: [number, number],
    readonly sentinelPorts: number[],
  ) {}

  /** `redis+sentinel://` URL the app is given. */
  get url(): string {
    const hosts = this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
    return `redis+sentinel://${hosts}/${this.masterName}`;
  }

  static async start(masterName = 'identity'): Promise<RedisSentinelSet> {
    const dir = await mkdtemp(join(tmpdir(), 'redis-sentinel-'));
    const ports: number[] = [];
    for (let i = 0; i < 5; i++) ports.push(await freePort());
    const [primary, replica, ...sentinels] = ports as [number, number, ...number[]];
    const set = new RedisSentinelSet(masterName, dir, [primary, replica], sentinels);
    try {
      await set.startData(primary, []);
      await set.startData(replica, ['--replicaof', '127.0.0.1', String(primary)]);
      await set.waitFor(async () => (await set.info(replica)).includes('master_link_status:up'));
      for (const port of sentinels) await set.startSentinel(port, primary);
      // A failover needs each Sentinel to know the replica and the two other Sentinels (hello
      // messages every 2 s), else no leader can be elected.
      await set.waitFor(async () => {
        for (const port of sentinels) {
          const m = await set.sentinelMaster(port);
          if (m['num-other-sentinels'] !== '2' || m['num-slaves'] !== '1') return false;
        }
        return true;
      }, 20_000);
    } catch (err) {
      await set.stop();
      throw err;
    }
    return set;
  }

  /** The port of the primary as the Sentinels see it (asks the first one that answers). */
  async primaryPort(): Promise<number> {
    for (const port of this.sentinelPorts) {
      try {
        const reply = (await this.client(port).call(
          'SENTINEL',
          'get-master-addr-by-name',
          this.masterName,
        )) as [string, string];
        return Number(reply[1]);
      } catch {
        // this Sentinel is down: ask the next
      }
    }
    throw new Error('no Sentinel answered');
  }

  /** A command connection to one node (closed by stop()). */
  client(port: number): Redis {
    let c = this.admin.get(port);
    if (!c) {
      c = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: false });
      c.on('error', () => undefined);
      this.admin.set(port, c);
    }
    return c;
  }

  /**
   * Waits until the replica has every write the primary took so far (SET + WAIT): replication
   * is asynchronous, and a test that kills the primary must not lose what it asserts on later.
   */
  async syncReplica(): Promise<void> {
    const primary = this.client(await this.primaryPort());
    await primary.set('sentinel-set:sync', String(Date.now()));
    const acked = (await primary.call('WAIT', '1', '5000')) as number;
    if (acked < 1) throw new Error('the replica did not acknowledge the writes');
  }

  /** A crash of the current primary (SIGKILL); returns its port. */
  async killPrimary(): Promise<number> {
    const port = await this.primaryPort();
    const child = this.children.get(port);
    if (!child) throw new Error(`no process on ${port}`);
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
    this.admin.get(port)?.disconnect();
    this.admin.delete(port);
    return port;
  }

  /**
   * Waits until the Sentinels name a primary other than `oldPort` and it answers as one. A
   * failover usually takes 2-4 s here; one whose leader election split the votes is retried
   * after twice the failover timeout, hence the generous bound.
   * @throws Error with the Sentinels' logs when no failover happened in time.
   */
  async waitForNewPrimary(oldPort: number, timeoutMs = 45_000): Promise<number> {
    let port = oldPort;
    try {
      await this.waitFor(async () => {
        port = await this.primaryPort();
        return port !== oldPort && (await this.info(port)).includes('role:master');
      }, timeoutMs);
    } catch (err) {
      const logs = await Promise.all(
        this.sentinelPorts.map(async (p) => {
          const log = await readFile(join(this.dir, `sentinel-${p}.log`), 'utf8').catch(() => '');
          return `--- sentinel ${p}\n${log.split('\n').slice(-25).join('\n')}`;
        }),
      );
      throw new Error(`${(err as Error).message}: no failover\n${logs.join('\n')}`);
    }
    return port;
  }

  async stop(): Promise<void> {
    for (const c of this.admin.values()) c.disconnect();
    this.admin.clear();
    await Promise.all(
      [...this.children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    this.children.clear();
    await rm(this.dir, { recursive: true, force: true });
  }

  private async info(port: number): Promise<string> {
    return this.client(port).info('replication');
  }

  private async sentinelMaster(port: number): Promise<Record<string, string>> {
    const flat = (await this.client(port).call('SENTINEL', 'master', this.masterName)) as string[];
    const fields: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
    return fields;
  }

  private async startData(port: number, extra: string[]): Promise<void> {
    this.spawn(port, [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      ...extra,
    ]);
    await this.waitFor(async () => (await this.client(port).ping()) === 'PONG');
  }

  private async startSentinel(port: number, primary: number): Promise<void> {
    // Sentinel rewrites its config file (discovered peers, epochs), so each needs its own.
    const file = join(this.dir, `sentinel-${port}.conf`);
    const name = this.masterName;
    await writeFile(
      file,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${primary} 2`,
        `sentinel down-after-milliseconds ${name} 1000`,
        // Also the pause before a failover is retried (twice this): after split votes, say.
        `sentinel failover-timeout ${name} 3000`,
        `logfile ${join(this.dir, `sentinel-${port}.log`)}`,
        `sentinel parallel-syncs ${name} 1`,
        '',
      ].join('\n'),
    );
    this.spawn(port, [file, '--sentinel']);
    await this.waitFor(async () => (await this.client(port).ping()) === 'PONG');
  }

  private spawn(port: number, args: string[]): void {
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.children.set(port, child);
  }

  private async waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        if (await check()) return;
      } catch {
        // not up yet
      }
      if (Date.now() > until) throw new Error('redis sentinel set: timed out waiting');
      await sleep(100);
    }
  }
}
