import type { INestApplication } from '@nestjs/common';
import { Database } from '@identity/database';
import { SessionService } from '@identity/sessions';
import { inBatches } from './batches';

/** A signed-in session as a client holds it. */
export interface SeededSession {
  userId: string;
  sessionId: string;
  accessToken: string;
  refreshToken: string;
}

/**
 * Opens `count` sessions (one login each, amr `pwd`) for the given users, round robin, through
 * the real SessionService, without the password step: scenarios other than `login` need
 * signed-in clients, not argon2 work. Each session is a refresh-token family of its own.
 */
export async function seedSessions(
  app: INestApplication,
  input: { userIds: readonly string[]; from: number; count: number },
): Promise<SeededSession[]> {
  const db = app.get(Database, { strict: false });
  const sessions = app.get(SessionService, { strict: false });
  const out: SeededSession[] = new Array<SeededSession>(input.count);
  await inBatches(input.count, (indexes) =>
    db.withTransaction(async (manager) => {
      for (const k of indexes) {
        const userId = input.userIds[(input.from + k) % input.userIds.length];
        if (!userId) throw new Error('no seeded users');
        const pair = await sessions.open(manager, {
          userId,
          amr: ['pwd'],
          deviceName: 'bench',
          client: { ip: '127.0.0.1', userAgent: 'identity-bench' },
        });
        out[k] = {
          userId,
          sessionId: pair.sessionId,
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
        };
      }
    }),
  );
  return out;
}
