import 'reflect-metadata';
import { ConfigError, loadConfig } from '@identity/config';
import { runMigrate } from './cli/migrate-command';

/**
 * `node dist/apps/identity/src/migrate.js`: applies pending migrations and exits, for
 * deployments that run them as a separate step (`DATABASE_MIGRATIONS_RUN=false` on the app,
 * a Kubernetes Job). `--revert` undoes the last one. Same as `cli.js migrate up`.
 */
function main(): void {
  const io = {
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
  };
  let config;
  try {
    // An entry point like main.ts: the one place it reads the environment.
    // eslint-disable-next-line no-restricted-properties
    config = loadConfig(process.env);
  } catch (err) {
    io.err(err instanceof ConfigError ? err.message : String(err));
    process.exit(1);
  }
  const action = process.argv.includes('--revert') ? 'revert' : 'up';
  runMigrate(action, config, io).then(
    (code) => process.exit(code),
    (err: unknown) => {
      io.err(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}

main();
