import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';
import { type INestApplicationContext, Logger as NestLogger, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '@identity/config';
import { DATABASE_MODE, type DatabaseMode } from '@identity/database';
import { KV_STORE, type KvStore, RedisKvStore } from '@identity/kv';
import { AppModule, type AppModuleOptions } from '../app.module';
import { createGrpcHealth, grpcOptions } from '../grpc/grpc-options';
import { GrpcMetrics } from '../grpc/grpc-metrics';
import { HttpMetrics } from '../http/ops/http-metrics';
import { Readiness } from '../http/ops/readiness';
import { MetricsScrape } from '../observability/metrics-scrape';
import { type MetricsServer, startMetricsServer } from '../observability/metrics-server';
import { IdentitySocketAdapter } from '../ws/socket-io.adapter';
import { configureHttpPipeline } from './http-pipeline';
import { assignRequestId } from './logging';
import type { Clock } from '@identity/kernel';

export interface RunningApp {
  app: NestExpressApplication;
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:3000`. */
  url: string;
  grpcAddress: string;
  /** Base URL of the `METRICS_PORT` listener, when there is one. */
  metricsUrl?: string;
  database: DatabaseMode;
  kv: KvStore['kind'];
  /** Graceful stop: drain HTTP, gRPC and sockets, then close Postgres and Redis. */
  shutdown(): Promise<void>;
}

export interface StartOptions {
  logStream?: DestinationStream;
  /** Extra modules to mount (tests add probes such as Nest's DiscoveryModule). */
  extraModules?: Type[];
  /** The time the app goes by; the system clock unless a test moves its own. */
  clock?: Clock;
  /** See `AppModuleOptions.federationHandler`. */
  federationHandler?: AppModuleOptions['federationHandler'];
}

/**
 * Builds and starts the whole platform for a config: HTTP (REST, web UI, socket.io) and gRPC
 * in one process. main.ts calls it, and so do the e2e tests, so both run the same app.
 */
export async function startApp(config: AppConfig, options: StartOptions = {}): Promise<RunningApp> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, {
      logStream: options.logStream,
      extraModules: options.extraModules,
      clock: options.clock,
      federationHandler: options.federationHandler,
    }),
    { bodyParser: false, bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  const draining = { value: false };
  // The request id is fixed before anything can answer (body-parser errors answer from
  // express middleware, ahead of the logger's own middleware), so every response has one.
  app.use(assignRequestId);
  app.use(app.get(HttpMetrics).middleware);
  app.use((_req: unknown, res: ServerResponse, next: () => void) => {
    // While draining, every answer closes its connection, so keep-alive clients move on:
    // also the answer to a request that arrived before draining started.
    if (draining.value) res.setHeader('Connection', 'close');
    else closeIfDrainingAtWrite(res, draining);
    next();
  });
  configureHttpPipeline(app, config);

  const kv = app.get<KvStore>(KV_STORE);
  const adapter = createSocketAdapter(app, config);
  app.useWebSocketAdapter(adapter);

  const grpcHealth = createGrpcHealth();
  app.connectMicroservice(grpcOptions(config, grpcHealth, app.get(GrpcMetrics)), {
    inheritAppConfig: true,
  });

  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
  let metricsServer: MetricsServer | undefined;
  if (config.metrics.port !== undefined) {
    metricsServer = await startMetricsServer(app.get(MetricsScrape), {
      host: config.metrics.host,
      port: config.metrics.port,
    }).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
  }
  grpcHealth.setStatus('', 'SERVING');
  grpcHealth.setStatus('identity.v1.IdentityService', 'SERVING');

  const server = app.getHttpServer();
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= gracefulShutdown({
      app,
      server,
      timeoutMs: config.shutdownTimeoutMs,
      drainDelayMs: config.shutdownDrainDelayMs,
      onStart: () => {
        draining.value = true;
        app.get(Readiness).startDraining();
        grpcHealth.setStatus('', 'NOT_SERVING');
        grpcHealth.setStatus('identity.v1.IdentityService', 'NOT_SERVING');
        adapter.drain();
      },
      afterClose: async () => {
        await adapter.closeRedis();
        await metricsServer?.close();
      },
    }));

  return {
    app,
    url: `http://${host}:${port}`,
    grpcAddress: `${config.grpc.host}:${config.grpc.port}`,
    ...(metricsServer ? { metricsUrl: metricsServer.url } : {}),
    database: app.get<DatabaseMode>(DATABASE_MODE),
    kv: kv.kind,
    shutdown,
  };
}

/**
 * The socket.io adapter of `app`: with Redis, room broadcasts reach every instance (also
 * from a process that serves no sockets itself, such as the CLI revoking sessions).
 */
export function createSocketAdapter(
  app: INestApplicationContext,
  config: AppConfig,
): IdentitySocketAdapter {
  const kv = app.get<KvStore>(KV_STORE);
  return new IdentitySocketAdapter(
    app,
    config,
    kv instanceof RedisKvStore
      ? // The adapter subscribes at once; let those first commands wait for the connection.
        {
          pub: kv.duplicate({ enableOfflineQueue: true }),
          sub: kv.duplicate({ enableOfflineQueue: true }),
        }
      : undefined,
  );
}

/** Adds `Connection: close` to `res` if draining has started by the time its head is written. */
function closeIfDrainingAtWrite(res: ServerResponse, draining: { value: boolean }): void {
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = (...args: unknown[]) => {
    if (draining.value && !res.headersSent) res.setHeader('Connection', 'close');
    return writeHead(...args);
  };
}

/**
 * Stops without resetting a request that reached the server:
 * 1. at once: readiness answers 503 (and gRPC health NOT_SERVING), sockets are closed, and
 *    every HTTP response from now on carries `Connection: close`, so a keep-alive client
 *    opens a new connection for its next request instead of reusing this one;
 * 2. for `drainDelayMs` nothing else changes: the listeners stay open and every request is
 *    served, while load balancers notice the 503 and route elsewhere;
 * 3. then the HTTP listener stops accepting. Connections are *not* cut: a connection busy
 *    with a request closes after its response (`Connection: close`); an idle keep-alive
 *    connection closes when its client sends one more request (answered, with
 *    `Connection: close`) or when it times out (`server.keepAliveTimeout`), as it would at
 *    any time. Closing idle connections ourselves would race a request already on the wire;
 *    that race is the reset this avoids;
 * 4. once every HTTP connection is gone, Nest's shutdown hooks run (gRPC, outbox, Postgres,
 *    Redis).
 * Everything is bounded by `timeoutMs` (`SHUTDOWN_TIMEOUT_MS`): past 80 % of it the
 * connections still open are cut, so the process can still exit.
 */
async function gracefulShutdown(args: {
  app: NestExpressApplication;
  server: Server;
  timeoutMs: number;
  drainDelayMs: number;
  onStart: () => void;
  afterClose: () => Promise<void>;
}): Promise<void> {
  const logger = new NestLogger('Shutdown');
  const { app, server, timeoutMs } = args;
  args.onStart();
  const deadline = Date.now() + timeoutMs;
  // Not ready any more, but still serving: load balancers get time to route elsewhere.
  const delayMs = Math.min(args.drainDelayMs, timeoutMs / 2);
  logger.log({ drainDelayMs: delayMs }, 'draining: not ready, still serving');
  if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
  // net.Server's close, not http.Server's: the latter also closes idle keep-alive connections
  // at once, racing any request a client is sending on one of them right now.
  const closed = new Promise<void>((resolve) =>
    NetServer.prototype.close.call(server, () => resolve()),
  );
  logger.log('listener closed; waiting for open connections to finish');
  let drainTimer: NodeJS.Timeout | undefined;
  const httpDrained = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((resolve) => {
      drainTimer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()) * 0.8);
    }),
  ]);
  clearTimeout(drainTimer);
  if (!httpDrained) {
    logger.warn('HTTP connections still open at the deadline; closing them');
    server.closeAllConnections();
  }
  const hardStop = setTimeout(
    () => {
      logger.error('shutdown hooks exceeded the deadline');
    },
    Math.max(1, deadline - Date.now()),
  );
  hardStop.unref();
  try {
    await app.close();
    await args.afterClose();
  } finally {
    clearTimeout(hardStop);
  }
  logger.log('stopped');
}
