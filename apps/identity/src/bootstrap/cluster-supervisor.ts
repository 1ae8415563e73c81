import cluster, { type Worker } from 'node:cluster';

export interface SupervisorOptions {
  /** Worker processes to keep running. */
  workers: number;
  /** `SHUTDOWN_TIMEOUT_MS`: how long a worker's drain may take before it is killed. */
  shutdownTimeoutMs: number;
  /** Where the supervisor's own lines go (stderr by default). */
  log?: (line: string) => void;
}

/** More worker exits than this within {@link CRASH_WINDOW_MS} is a crash loop: give up. */
const CRASHES_PER_WINDOW = 5;
const CRASH_WINDOW_MS = 30_000;
const RESTART_DELAY_MS = 1_000;

/**
 * The primary process of `CLUSTER_WORKERS` > 1: forks the workers, each of which runs the whole
 * app (`main.ts` takes the worker path); the listeners (HTTP with socket.io, gRPC) are shared
 * through Node's cluster module, which hands each new connection to one worker in turn. Nothing
 * else is shared through this process: the workers share state through Postgres and Redis,
 * exactly as separate instances do (denylist, limits, access-cache invalidation, the socket.io
 * Redis adapter), so a revocation on one worker reaches sockets held by another.
 *
 * A worker that dies is replaced after a second; more than {@link CRASHES_PER_WINDOW} deaths
 * in {@link CRASH_WINDOW_MS} stop the whole process with exit code 1 (a worker that cannot
 * start would otherwise restart forever). SIGTERM or SIGINT is passed to every worker, whose
 * own graceful drain runs (`SHUTDOWN_*`); the primary exits once all have, with 0 when every
 * worker exited 0.
 */
export function superviseWorkers(options: SupervisorOptions): void {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const live = new Set<Worker>();
  const exits: number[] = [];
  let stopping = false;
  let failed = false;

  const finishIfDone = () => {
    if (live.size === 0) process.exit(failed ? 1 : 0);
  };

  const fork = () => {
    const worker = cluster.fork();
    live.add(worker);
    worker.once('online', () =>
      log(`cluster: worker ${worker.id} online (pid ${worker.process.pid})`),
    );
    worker.once('exit', (code, signal) => {
      live.delete(worker);
      const how = signal ?? `code ${code}`;
      if (stopping) {
        if (code !== 0) failed = true;
        log(`cluster: worker ${worker.id} stopped (${how})`);
        finishIfDone();
        return;
      }
      const now = Date.now();
      exits.push(now);
      while (exits.length > 0 && exits[0]! < now - CRASH_WINDOW_MS) exits.shift();
      if (exits.length > CRASHES_PER_WINDOW) {
        log(`cluster: workers keep exiting (${exits.length} in ${CRASH_WINDOW_MS} ms); stopping`);
        failed = true;
        stop('SIGTERM');
        return;
      }
      log(`cluster: worker ${worker.id} exited (${how}); starting another`);
      setTimeout(() => {
        if (!stopping) fork();
      }, RESTART_DELAY_MS);
    });
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      if (signal === 'SIGINT') process.exit(1);
      return;
    }
    stopping = true;
    log(`cluster: ${signal} received, stopping ${live.size} workers`);
    for (const worker of live) worker.process.kill('SIGTERM');
    const force = setTimeout(() => {
      log('cluster: workers did not stop in time; killing them');
      for (const worker of live) worker.process.kill('SIGKILL');
      process.exit(1);
    }, options.shutdownTimeoutMs + 5_000);
    force.unref();
    finishIfDone();
  };

  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  log(`cluster: starting ${options.workers} workers`);
  for (let i = 0; i < options.workers; i++) fork();
}
