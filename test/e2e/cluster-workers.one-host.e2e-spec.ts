/**
 * One process per core on one host (`CLUSTER_WORKERS`): the real built app as an operator runs
 * it, with two workers sharing the HTTP (and socket.io) and gRPC listeners through Node's
 * cluster module. The attack it guards against: a stolen session's socket is held by one
 * worker while the revocation (a sign-out from another device) is handled by the other; a
 * push or denylist kept per process would leave the thief signed in. The test finds out which
 * worker owns each TCP connection from the kernel (`/proc/net/tcp` and each worker's open
 * sockets), so it proves the socket and the revocation really were on different workers.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import {
  createTestDatabase,
  freePort,
  login,
  type LoggedIn,
  MailCatcher,
  registerVerified,
  TEST_REDIS_URL,
  type TestDatabase,
  uniqueKvPrefix,
} from '@identity/testing';
import { SessionsSocketClient } from '../../apps/identity/src/ws/client/sessions-socket.client';
import { type IdentityProcess, spawnIdentity, waitForHttp } from '../support/process';
import { GrpcTestClient } from './grpc.fixtures';

/** An agent that keeps one connection open and remembers its local port. */
class OneConnection extends Agent {
  socket: Socket | undefined;
  constructor() {
    super({ keepAlive: true, maxSockets: 1 });
  }
  override createConnection(...args: Parameters<Agent['createConnection']>) {
    const socket = super.createConnection(...args) as Socket;
    this.socket = socket;
    return socket;
  }
}

/** Established server-side loopback connections on `port`: client port and socket inode. */
function serverSockets(port: number): Array<{ clientPort: number; inode: string }> {
  const found: Array<{ clientPort: number; inode: string }> = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = parseInt(cols[1]!.split(':')[1]!, 16);
      const remote = parseInt(cols[2]!.split(':')[1]!, 16);
      if (local === port && cols[3] === '01') found.push({ clientPort: remote, inode: cols[9]! });
    }
  }
  return found;
}

/** The inode of the server's end of the loopback connection from `clientPort` to `port`. */
function serverSocketInode(port: number, clientPort: number): string | undefined {
  return serverSockets(port).find((s) => s.clientPort === clientPort)?.inode;
}

function ownsSocket(pid: number, inode: string): boolean {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`;
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

describe('CLUSTER_WORKERS=2 on one host', () => {
  const mail = new MailCatcher();
  let db: TestDatabase;
  let app: IdentityProcess;
  let port: number;
  let grpcPort: number;
  let url: string;
  let workers: number[] = [];
  const agents: OneConnection[] = [];
  const sockets: SessionsSocketClient[] = [];

  /** The worker pid whose process holds the server end of the connection from `clientPort`. */
  async function workerOf(clientPort: number): Promise<number> {
    const until = Date.now() + 5_000;
    for (;;) {
      // The primary accepts and then hands the connection over: wait until a worker holds it.
      const inode = serverSocketInode(port, clientPort);
      const owner = inode ? workers.find((pid) => ownsSocket(pid, inode)) : undefined;
      if (owner) return owner;
      if (Date.now() > until) throw new Error(`no worker holds the connection from ${clientPort}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  function send(
    agent: OneConnection,
    method: string,
    path: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${url}${path}`, { method, agent, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * A kept-alive connection that the cluster handed to worker `pid`. Connections go to the
   * workers in turn, but only to those already listening: a worker still booting (a busy CI
   * machine) gets none, hence a deadline rather than a number of tries.
   */
  async function connectionTo(pid: number, timeoutMs = 30_000): Promise<OneConnection> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const agent = new OneConnection();
      await send(agent, 'GET', '/healthz');
      if ((await workerOf(agent.socket!.localPort!)) === pid) {
        agents.push(agent);
        return agent;
      }
      agent.destroy();
      if (Date.now() > until) throw new Error(`no connection went to worker ${pid} in time`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  beforeAll(async () => {
    const smtp = await mail.start();
    db = await createTestDatabase('cluster_workers');
    port = await freePort();
    grpcPort = await freePort();
    url = `http://127.0.0.1:${port}`;
    app = spawnIdentity({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      GRPC_PORT: String(grpcPort),
      DATABASE_URL: db.url,
      DATABASE_MIGRATIONS_RUN: 'false',
      REDIS_URL: TEST_REDIS_URL,
      REDIS_KEY_PREFIX: uniqueKvPrefix('cluster-workers'),
      SMTP_URL: `smtp://127.0.0.1:${smtp}`,
      CLUSTER_WORKERS: '2',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      LOG_LEVEL: 'warn',
      MAIL_PER_IP_PER_HOUR: '10000',
      AUTH_PER_IP_PER_MINUTE: '100000',
    });
    await waitForHttp(`${url}/healthz`, app, 30_000);
    const until = Date.now() + 30_000;
    while (workers.length < 2) {
      workers = [...app.stderr().matchAll(/cluster: worker \d+ online \(pid (\d+)\)/g)].map((m) =>
        Number(m[1]),
      );
      if (Date.now() > until) throw new Error(`workers did not come up:\n${app.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Both listen: each answers on a connection of its own.
    for (const pid of workers) await connectionTo(pid);
  }, 90_000);

  afterAll(async () => {
    for (const socket of sockets) socket.close();
    for (const agent of agents) agent.destroy();
    if (app && app.child.exitCode === null) {
      app.child.kill('SIGKILL');
      await app.exited;
    }
    await db?.drop();
    await mail.stop();
  });

  it('pushes a revocation handled by one worker to a socket held by the other', async () => {
    const creds = await registerVerified(url, mail);
    const phone: LoggedIn = await login(url, creds, 'phone');
    const laptop: LoggedIn = await login(url, creds, 'laptop');

    const socketAgent = new OneConnection();
    agents.push(socketAgent);
    const socket = await SessionsSocketClient.connect(url, {
      token: phone.accessToken,
      agent: socketAgent,
    });
    sockets.push(socket);
    const holder = await workerOf(socketAgent.socket!.localPort!);
    const other = workers.find((pid) => pid !== holder)!;

    const revoker = await connectionTo(other);
    const startedAt = Date.now();
    const res = await send(revoker, 'DELETE', `/auth/sessions/${phone.sessionId}`, {
      Authorization: `Bearer ${laptop.accessToken}`,
      'X-Request-Id': `cluster-${randomUUID()}`,
    });
    expect(res.status).toBe(204);
    // The revocation's connection was still the other worker's when it was answered.
    expect(await workerOf(revoker.socket!.localPort!)).toBe(other);

    const { payload, receivedAt } = await socket.next('revoked', 5_000);
    expect(payload).toEqual({
      scope: 'session',
      session_id: phone.sessionId,
      reason: 'session_revoked',
      at: expect.any(String),
    });
    expect(receivedAt - startedAt).toBeLessThan(5_000);
  });

  it('refuses a logged-out access token on both workers at once', async () => {
    const creds = await registerVerified(url, mail);
    const victim = await login(url, creds, 'victim');
    const keeper = await login(url, creds, 'keeper');
    const [first, second] = [await connectionTo(workers[0]!), await connectionTo(workers[1]!)];
    const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });
    for (const conn of [first, second]) {
      expect((await send(conn, 'GET', '/auth/me', bearer(victim.accessToken))).status).toBe(200);
    }

    expect((await send(first, 'POST', '/auth/logout', bearer(victim.accessToken))).status).toBe(
      204,
    );
    for (const conn of [second, first]) {
      const me = await send(conn, 'GET', '/auth/me', bearer(victim.accessToken));
      expect(me.status).toBe(401);
      expect(me.headers['www-authenticate']).toMatch(/^Bearer/);
      // Control: the account's other session still passes on the same worker.
      expect((await send(conn, 'GET', '/auth/me', bearer(keeper.accessToken))).status).toBe(200);
    }
  });

  it('serves gRPC from both workers, and both refuse a revoked token', async () => {
    const creds = await registerVerified(url, mail);
    const user = await login(url, creds, 'service-check');
    // Channels opened one by one until the kernel shows connections held by both workers
    // (only this test connects to this gRPC port).
    const clients: GrpcTestClient[] = [];
    const owners = new Set<number>();
    try {
      const until = Date.now() + 30_000;
      while (owners.size < 2) {
        if (Date.now() > until) throw new Error('gRPC connections did not reach both workers');
        // A subchannel pool of its own: grpc-js otherwise shares one connection between them.
        const client = new GrpcTestClient(`127.0.0.1:${grpcPort}`, undefined, {
          'grpc.use_local_subchannel_pool': 1,
        });
        clients.push(client);
        expect((await client.verifyToken(user.accessToken)).active).toBe(true);
        for (const { inode } of serverSockets(grpcPort)) {
          const owner = workers.find((pid) => ownsSocket(pid, inode));
          if (owner) owners.add(owner);
        }
      }
      const conn = await connectionTo(workers[0]!);
      const out = await send(conn, 'POST', '/auth/logout', {
        Authorization: `Bearer ${user.accessToken}`,
      });
      expect(out.status).toBe(204);
      for (const client of clients) {
        expect(await client.verifyToken(user.accessToken)).toMatchObject({
          active: false,
          reason: 'revoked',
        });
      }
    } finally {
      for (const client of clients) client.close();
    }
  });

  it('replaces a worker that dies, and the new one serves', async () => {
    const [dead, survivor] = workers as [number, number];
    process.kill(dead, 'SIGKILL');
    const until = Date.now() + 30_000;
    let fresh: number | undefined;
    while (!fresh) {
      const online = [...app.stderr().matchAll(/cluster: worker \d+ online \(pid (\d+)\)/g)];
      fresh = online.map((m) => Number(m[1])).find((pid) => pid !== dead && pid !== survivor);
      if (Date.now() > until) throw new Error(`no worker replaced ${dead}:\n${app.stderr()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(app.stderr()).toMatch(/cluster: worker \d+ exited \(SIGKILL\); starting another/);
    workers = [survivor, fresh];
    const conn = await connectionTo(fresh);
    expect((await send(conn, 'GET', '/healthz')).status).toBe(200);
  }, 60_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    for (const socket of sockets) socket.close();
    for (const agent of agents) agent.destroy();
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(app.stderr()).toMatch(/cluster: SIGTERM received, stopping 2 workers/);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);
});
