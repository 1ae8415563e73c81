import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { type AppConfig, ConfigError, loadConfig } from '@identity/config';
import { runAccountCommand } from './cli/account-commands';
import { type CliIo, EXIT_FAILED, EXIT_USAGE, parseCommand, USAGE } from './cli/cli-command';
import { runMigrate } from './cli/migrate-command';
import { runPlatformCommand } from './cli/platform-commands';

export type { CliIo } from './cli/cli-command';

/**
 * The operator's command line: `node dist/apps/identity/src/cli.js <command>` (compiled, as
 * in the image), `npm run cli -- <command>` on a checkout. Runs one command and returns the
 * exit code: 0 done, 1 refused or failed, 2 usage.
 *
 * Apart from `migrate`, a command runs in the server's module tree (same database, kv and
 * event spine, no listeners), so its changes are audited, denylisted and announced exactly
 * as the admin API's are; socket.io runs unattached with the Redis adapter, so revocations
 * reach the sockets of every running instance.
 */
export async function runCli(
  argv: readonly string[],
  config: AppConfig,
  io: CliIo,
): Promise<number> {
  const command = parseCommand(argv);
  switch (command.kind) {
    case 'usage':
      if (command.problem) io.err(`error: ${command.problem}\n`);
      io.err(USAGE);
      return command.problem ? EXIT_USAGE : 0;
    case 'migrate':
      return runMigrate(command.action, config, io);
    case 'account':
      return withApp(config, io, (app) => runAccountCommand(app, command, io));
    case 'platform':
      return withApp(config, io, (app) => runPlatformCommand(app, command.name, io));
  }
}

/** `run` in the server's module tree; a platform that cannot start (database down) is exit 1. */
async function withApp(
  config: AppConfig,
  io: CliIo,
  run: (app: NestExpressApplication) => Promise<number>,
): Promise<number> {
  try {
    return await withAppOrThrow(config, io, run);
  } catch (err) {
    io.err(`failed: ${err instanceof Error ? err.message : String(err)}`);
    return EXIT_FAILED;
  }
}

async function withAppOrThrow(
  config: AppConfig,
  io: CliIo,
  run: (app: NestExpressApplication) => Promise<number>,
): Promise<number> {
  // Loaded here, not at the top: usage and `migrate` (the Kubernetes Job) need none of the
  // server's module tree, which takes seconds to load.
  const { AppModule } = await import('./app.module');
  const { createSocketAdapter } = await import('./bootstrap/start-app');
  const quiet: AppConfig = {
    ...config,
    logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel,
  };
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(quiet, { logStream: { write: (line: string) => io.err(line.trimEnd()) } }),
    { bodyParser: false, bufferLogs: true, abortOnError: false },
  );
  app.useLogger(app.get(Logger));
  const sockets = createSocketAdapter(app, quiet);
  app.useWebSocketAdapter(sockets);
  try {
    // init, never listen: the module tree and the socket.io server exist, no port is opened.
    await app.init();
    return await run(app);
  } finally {
    await app.close();
    await sockets.closeRedis();
  }
}

if (require.main === module) {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  let config: AppConfig;
  try {
    // The CLI is an entry point like main.ts: the one place it reads the environment.
    // eslint-disable-next-line no-restricted-properties
    config = loadConfig(process.env);
  } catch (err) {
    io.err(err instanceof ConfigError ? err.message : String(err));
    process.exit(EXIT_FAILED);
  }
  runCli(process.argv.slice(2), config, io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      io.err(`failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(EXIT_FAILED);
    },
  );
}
