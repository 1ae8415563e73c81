import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AccessRepository } from './access.repository';

/** Role every registered account receives. */
export const DEFAULT_ROLE = 'user';

/** Role-based access: what a user is (roles) and may do (permissions, `resource:action`). */
@Injectable()
export class AccessService {
  constructor(private readonly repo: AccessRepository) {}

  /** Gives a new account its default role, in the registering transaction. */
  grantDefaultRole(userId: string, manager?: EntityManager): Promise<void> {
    return this.repo.assignRole(userId, DEFAULT_ROLE, manager);
  }

  grantRole(userId: string, role: string, manager?: EntityManager): Promise<void> {
    return this.repo.assignRole(userId, role, manager);
  }

  /** Roles and permissions of a user, resolved from the roles it holds now. */
  grantsOf(
    userId: string,
    manager?: EntityManager,
  ): Promise<{ roles: string[]; permissions: string[] }> {
    return this.repo.grantsOf(userId, manager);
  }
}
