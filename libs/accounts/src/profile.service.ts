import { Injectable } from '@nestjs/common';
import { AccessError, AccessService } from '@identity/access';
import { AccountError } from './account.errors';
import { UserRepository } from '@identity/users';

/** The signed-in user's own view of the account (`GET /auth/me`, before snake_case mapping). */
export interface Profile {
  id: string;
  email: string;
  name: string | null;
  emailVerified: boolean;
  mfaEnabled: boolean;
  /** Role names, sorted. */
  roles: string[];
  /** The union of the roles' permissions, sorted. */
  permissions: string[];
  createdAt: Date;
}

/** Reading one's own account, and its display name. */
@Injectable()
export class ProfileService {
  constructor(
    private readonly users: UserRepository,
    private readonly access: AccessService,
  ) {}

  /**
   * Sets the display name (trimmed; an empty one clears it) and returns the profile.
   * @throws AccountError `account.not_found` when the account no longer exists.
   */
  async rename(userId: string, name: string | null): Promise<Profile> {
    const clean = name?.trim() || null;
    if (!(await this.users.rename(userId, clean))) throw new AccountError('account.not_found');
    return this.me(userId);
  }

  /**
   * The profile of `userId` with its roles and permissions as they are now (from the access
   * cache, which every committed change invalidates on every instance; the profile itself is
   * read from Postgres).
   * @throws AccountError `account.not_found` when the account no longer exists (deleted after
   *   its access token was issued) or the id is malformed.
   */
  async me(userId: string): Promise<Profile> {
    const profile = await this.users.findProfile(userId);
    if (!profile) throw new AccountError('account.not_found');
    const { roles, permissions } = await this.access.currentAccess(userId).catch((err: unknown) => {
      // Deleted between the two reads: the same answer as if the first had missed it.
      if (err instanceof AccessError) throw new AccountError('account.not_found');
      throw err;
    });
    return {
      id: profile.id,
      email: profile.email,
      name: profile.name,
      emailVerified: profile.emailVerified,
      mfaEnabled: profile.mfaEnabled,
      roles,
      permissions,
      createdAt: profile.createdAt,
    };
  }
}
