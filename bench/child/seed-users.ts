import type { INestApplication } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { Database } from '@identity/database';
import { PasswordHasher } from '@identity/passwords';
import { normalizeEmail, UserRepository } from '@identity/users';
import { inBatches } from './batches';

export interface SeedUsersRequest {
  /** Users `<prefix><i>@bench.example` for i in [0, count). */
  prefix: string;
  count: number;
  password: string;
}

export interface SeedResult {
  created: number;
  ms: number;
}

/** The address of bench user `i`; the runner derives the same addresses. */
export function benchEmail(prefix: string, i: number): string {
  return `${prefix}${i}@bench.example`;
}

/**
 * Creates verified users with the default role through the platform's own repositories and
 * hasher (real pepper, configured argon2 parameters), in the app's process, and returns their
 * ids. The password is hashed once and the hash shared: a verify against it costs exactly what
 * a verify against a per-user hash costs, and seeding 2,000 users takes one argon2 hash, not
 * 2,000.
 */
export async function seedUsers(
  app: INestApplication,
  req: SeedUsersRequest,
): Promise<{ ids: string[]; ms: number }> {
  const started = Date.now();
  const db = app.get(Database, { strict: false });
  const users = app.get(UserRepository, { strict: false });
  const access = app.get(AccessService, { strict: false });
  const password = await app.get(PasswordHasher, { strict: false }).hash(req.password);
  const ids: string[] = new Array<string>(req.count);
  await inBatches(req.count, (indexes) =>
    db.withTransaction(async (manager) => {
      for (const i of indexes) {
        const email = benchEmail(req.prefix, i);
        const user = await users.create(
          { email, emailNormalized: normalizeEmail(email), password, emailVerifiedAt: new Date() },
          manager,
        );
        await access.grantDefaultRole(user.id, manager);
        ids[i] = user.id;
      }
    }),
  );
  return { ids, ms: Date.now() - started };
}
