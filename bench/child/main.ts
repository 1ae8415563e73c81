import 'reflect-metadata';
import type { ChildMessage, ChildRequest, ChildRole } from './protocol';
import { UsageMeter } from './usage-meter';

/** What a child role offers the runner besides the built-in usage commands. */
export interface ChildService {
  info: Record<string, string>;
  commands: Record<string, (args: unknown) => Promise<unknown>>;
  close(): Promise<void>;
}

export type ChildFactory = (args: unknown, meter: UsageMeter) => Promise<ChildService>;

/** Roles load lazily: a bare ceiling process never loads Nest, and vice versa. */
const ROLES: Record<ChildRole, () => Promise<ChildFactory>> = {
  app: async () => (await import('./app.role')).startAppRole,
  'bare-express': async () => (await import('./bare-express.role')).startBareExpress,
  'bare-grpc': async () => (await import('./bare-grpc.role')).startBareGrpc,
  argon2: async () => (await import('./argon2-loop.role')).startArgon2Loop,
  jose: async () => (await import('./jose-loop.role')).startJoseLoop,
  'pg-tx': async () => (await import('./pg-tx-loop.role')).startPgTxLoop,
};

function send(message: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

function isRole(value: string | undefined): value is ChildRole {
  return value !== undefined && value in ROLES;
}

/** Entry point of every bench child: `node main.js <role> '<json args>'`, with an IPC channel. */
async function main(): Promise<void> {
  const role = process.argv[2];
  if (!isRole(role)) throw new Error(`unknown role ${String(role)}`);
  const args: unknown = JSON.parse(process.argv[3] ?? '{}');
  const meter = new UsageMeter();
  const service = await (await ROLES[role]())(args, meter);
  let closing = false;
  const close = async (): Promise<void> => {
    if (closing) return;
    closing = true;
    await service.close();
    meter.stop();
  };
  // The runner died or let go: a child never outlives it.
  process.on('disconnect', () => {
    void close().finally(() => process.exit(0));
  });
  process.on('message', (raw: ChildRequest) => {
    void (async () => {
      try {
        let result: unknown;
        if (raw.cmd === 'usage.reset') result = meter.reset();
        else if (raw.cmd === 'usage.read') result = meter.read();
        else if (raw.cmd === 'close') result = await close();
        else {
          const command = service.commands[raw.cmd];
          if (!command) throw new Error(`unknown command ${raw.cmd}`);
          result = await command(raw.args);
        }
        await send({ id: raw.id, ok: true, result });
        if (raw.cmd === 'close') process.exit(0);
      } catch (err) {
        await send({ id: raw.id, ok: false, error: describe(err) });
      }
    })();
  });
  await send({ ready: true, info: service.info });
}

function describe(err: unknown): string {
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

main().catch(async (err: unknown) => {
  await send({ failed: describe(err) });
  process.exit(1);
});
