import type { INestApplicationContext } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { PasswordHasher } from '@identity/passwords';
import {
  canonicalEmail,
  normalizeEmail,
  type User,
  type UserStatus,
  UserRepository,
} from '@identity/users';

import { GOOD_PASSWORD, uniqueEmail } from './flows';

/** A second password every policy rule accepts, for "wrong password" cases. */
export const OTHER_GOOD_PASSWORD = 'quartz-Lantern-58-meadow';

/** What a test account is made of; every field has a realistic default. */
export interface UserSpec {
  email?: string;
  name?: string | null;
  /** null: a federated-only account. Default {@link GOOD_PASSWORD}. */
  password?: string | null;
  /** Default true: most tests want an account that can sign in. */
  verified?: boolean;
  /** Default `active`. */
  status?: UserStatus;
  /** The account's roles (granted as registration grants the default one: no event). Default `['user']`. */
  roles?: string[];
}

/**
 * Test accounts made through the platform's own repositories and hasher (real argon2 with
 * the test config's cheap parameters), never by raw `INSERT`s, so a test set-up can never
 * hold a row the code itself could not have written.
 */
export class UserFactory {
  constructor(private readonly app: INestApplicationContext) {}

  async create(spec: UserSpec = {}): Promise<User & { plainPassword: string | null }> {
    const users = this.app.get(UserRepository, { strict: false });
    const access = this.app.get(AccessService, { strict: false });
    const email = spec.email ?? uniqueEmail();
    const plainPassword = spec.password === undefined ? GOOD_PASSWORD : spec.password;
    const password =
      plainPassword === null
        ? null
        : await this.app.get(PasswordHasher, { strict: false }).hash(plainPassword);
    const user = await users.create({
      email: canonicalEmail(email),
      emailNormalized: normalizeEmail(email),
      name: spec.name ?? null,
      password,
      emailVerifiedAt: spec.verified === false ? null : new Date(),
    });
    for (const role of spec.roles ?? ['user']) await access.grantRole(user.id, role);
    if (spec.status === 'locked') {
      await users.setStatus(user.id, { status: 'locked', at: new Date() });
    }
    const stored = await users.findById(user.id);
    if (!stored) throw new Error('the created user is gone');
    return { ...stored, plainPassword };
  }

  /**
   * Locks an account as an admin's lock stores it, without the `user.locked` event: for set-up
   * before anything has read the account (no cache to invalidate).
   */
  async lock(userId: string): Promise<void> {
    await this.app
      .get(UserRepository, { strict: false })
      .setStatus(userId, { status: 'locked', at: new Date() });
  }
}
