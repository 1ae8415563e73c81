import type { Server } from 'node:http';
import { Logger as NestLogger, type Type } from '@nestjs/common';
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
import { IdentitySocketAdapter } from '../ws/socket-io.adapter';
import { configureHttpPipeline } from './http-pipeline';
import { assignRequestId } from './logging';
import type { Clock } from '@identity/kernel';

export interface RunningApp {
  app: NestExpressApplication;
  /** Base URL of the HTTP server, e.g. `http://127.0.0.1:3000`. */
  url: string;
  grpcAddress: string;
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
  app.use((_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) => {
    // While draining, every answer closes its connection, so keep-alive clients move on.
    if (draining.value) res.setHeader('Connection', 'close');
    next();
  });
  configureHttpPipeline(app, config);

  const kv = app.get<KvStore>(KV_STORE);
  const adapter = new IdentitySocketAdapter(
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
  app.useWebSocketAdapter(adapter);

  const grpcHealth = createGrpcHealth();
  app.connectMicroservice(grpcOptions(config, grpcHealth, app.get(GrpcMetrics)), {
    inheritAppConfig: true,
  });

  await app.startAllMicroservices();
  await app.listen(config.http.port, config.http.host);
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
      afterClose: () => adapter.closeRedis(),
    }));

  return {
    app,
    url: `http://${host}:${port}`,
    grpcAddress: `${config.grpc.host}:${config.grpc.port}`,
    database: app.get<DatabaseMode>(DATABASE_MODE),
    kv: kv.kind,
    shutdown,
  };
}

/**
 * Stops taking new connections, lets in-flight HTTP requests and gRPC calls finish, closes
 * idle keep-alive connections as they free up, then runs Nest's shutdown hooks (sockets,
 * outbox, Postgres, Redis). Everything is bounded by `timeoutMs`: past it, connections are
 * cut so the process can still exit.
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
  logger.log('draining');
  const deadline = Date.now() + timeoutMs;
  // Not ready any more, but still serving: load balancers get time to route elsewhere.
  if (args.drainDelayMs > 0) {
    await new Promise((r) => setTimeout(r, Math.min(args.drainDelayMs, timeoutMs / 2)));
  }
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections with no request in flight are closed as they free up; answers
  // sent while draining carry `Connection: close`, so busy ones end after their response.
  server.closeIdleConnections();
  const sweeper = setInterval(() => server.closeIdleConnections(), 100);
  let drainTimer: NodeJS.Timeout | undefined;
  const httpDrained = await Promise.race([
    closed.then(() => true),
    new Promise<boolean>((resolve) => {
      drainTimer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()) * 0.8);
    }),
  ]);
  clearTimeout(drainTimer);
  clearInterval(sweeper);
  if (!httpDrained) {
    logger.warn('HTTP requests still running at the deadline; closing their connections');
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
