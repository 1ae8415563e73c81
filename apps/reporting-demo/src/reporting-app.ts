import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IdentityClientOptions } from './identity.client';
import { ReportingModule } from './reporting.module';

export interface ReportingAppOptions {
  identity: IdentityClientOptions;
  port: number;
  host: string;
  /** Nest's console logger; off in tests. */
  logger?: boolean;
}

/** Builds and starts the demo; `url` is where it listens. */
export async function startReportingApp(
  options: ReportingAppOptions,
): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(ReportingModule.forRoot(options.identity), {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  await app.listen(options.port, options.host);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { app, url: `http://${options.host}:${port}` };
}
