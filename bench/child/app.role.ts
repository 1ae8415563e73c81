import { loadConfig } from '@identity/config';
import { startApp } from '../../apps/identity/src/bootstrap/start-app';
import { IoCounters } from './io-counters';
import type { ChildFactory } from './main';
import { seedSessions } from './seed-sessions';
import { seedUsers, type SeedUsersRequest } from './seed-users';
import { emitWebhookEvents, type EmitRequest, registerReceiver } from './webhook-events';

/**
 * The platform exactly as `main.ts` runs it: the environment parsed by `loadConfig` (the
 * runner sets it, production mode), then the real `startApp`. Logs go to stdout, which the
 * runner points at a file. Seeding commands run inside it, through its own repositories, and
 * so do the webhook scenario's (a receiver registered, events emitted in transactions).
 */
export const startAppRole: ChildFactory = async (_args, meter) => {
  const io = new IoCounters();
  io.install();
  meter.attachIo(io);
  const config = loadConfig(process.env);
  const running = await startApp(config);
  let userIds: string[] = [];
  let opened = 0;
  return {
    info: { url: running.url, grpcAddress: running.grpcAddress },
    commands: {
      'seed.users': async (args) => {
        const { ids, ms } = await seedUsers(running.app, args as SeedUsersRequest);
        userIds = ids;
        return { created: ids.length, ms };
      },
      'seed.sessions': async (args) => {
        const { count } = args as { count: number };
        const sessions = await seedSessions(running.app, { userIds, from: opened, count });
        opened += count;
        return sessions;
      },
      'webhook.register': (args) =>
        registerReceiver(running.app, {
          url: (args as { url: string }).url,
          actorId: userIds[0] ?? '',
        }),
      'webhook.emit': (args) =>
        emitWebhookEvents(running.app, { ...(args as Omit<EmitRequest, 'userIds'>), userIds }),
    },
    close: () => running.shutdown(),
  };
};
