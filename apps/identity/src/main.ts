import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '@identity/config';
import { startApp } from './bootstrap/start-app';
import { printBanner } from './bootstrap/banner';
import { superviseWorkers } from './bootstrap/cluster-supervisor';

/**
 * Entry point: parse the environment once (exit 1 listing every problem), start HTTP + gRPC
 * + socket.io, and stop gracefully on SIGTERM/SIGINT with exit code 0. With
 * `CLUSTER_WORKERS` > 1 this process only supervises that many workers, each of which comes
 * through here again and starts the app on the shared listeners.
 */
async function main(): Promise<void> {
  let config;
  try {
    // The one place the environment is read; everything else gets the parsed config.
    // eslint-disable-next-line no-restricted-properties
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  if (config.cluster.workers > 1 && cluster.isPrimary) {
    superviseWorkers({
      workers: config.cluster.workers,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
    });
    return;
  }
  const running = await startApp(config);
  // One banner per host, not one per worker.
  if (!cluster.isWorker || cluster.worker?.id === 1) printBanner(config, running);

  let signalled = false;
  const stop = (signal: NodeJS.Signals) => {
    if (signalled) {
      // Ctrl-C twice: a person who does not want to wait for the drain. A repeated SIGTERM
      // (an orchestrator's) changes nothing: the drain it asked for is under way.
      if (signal !== 'SIGINT') return;
      process.stderr.write('SIGINT received again, exiting now\n');
      process.exit(1);
    }
    signalled = true;
    process.stderr.write(`${signal} received, shutting down\n`);
    const force = setTimeout(() => process.exit(1), config.shutdownTimeoutMs + 2_000);
    force.unref();
    running.shutdown().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
