import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IdentityClient } from '@identity/identity-client';
import type { ReportingIdentitySettings } from './reporting.config';
import { ReportingModule } from './reporting.module';

export interface ReportingAppOptions {
  identity: ReportingIdentitySettings;
  port: number;
  host: string;
  /** Nest's console logger; off in tests. */
  logger?: boolean;
}

/** Builds and starts the demo; `url` is where it listens, `identity` its SDK client. */
export async function startReportingApp(
  options: ReportingAppOptions,
): Promise<{ app: INestApplication; url: string; identity: IdentityClient }> {
  const app = await NestFactory.create(ReportingModule.forRoot(options.identity), {
    logger: options.logger === false ? false : ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  await app.listen(options.port, options.host);
  const server = app.getHttpServer() as Server;
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return { app, url: `http://${options.host}:${port}`, identity: app.get(IdentityClient) };
}
