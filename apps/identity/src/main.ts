import 'reflect-metadata';
import cluster from 'node:cluster';
import { ConfigError, loadConfig } from '@identity/config';
import { superviseWorkers } from './bootstrap/cluster-supervisor';
import type { Tracing } from './observability/tracing';

/**
 * Entry point: parse the environment once (exit 1 listing every problem), start tracing when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, start HTTP + gRPC + socket.io, and stop gracefully on
 * SIGTERM/SIGINT with exit code 0 (flushing the last spans). With `CLUSTER_WORKERS` > 1 this
 * process only supervises that many workers, each of which comes through here again, starts
 * its own tracing and the app on the shared listeners.
 *
 * The app is imported only after tracing has started: OpenTelemetry instruments express, pg,
 * ioredis and grpc by hooking `require`, so a module loaded earlier would not be traced.
 * Without the setting the OpenTelemetry SDK is never loaded.
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
  let tracing: Tracing | undefined;
  if (config.tracing.otlpEndpoint) {
    const { startTracing } = await import('./observability/tracing');
    tracing = startTracing({ ...config.tracing, otlpEndpoint: config.tracing.otlpEndpoint });
  }
  const { startApp } = await import('./bootstrap/start-app');
  const { printBanner } = await import('./bootstrap/banner');
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
    running
      .shutdown()
      .then(() => tracing?.shutdown())
      .then(
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
