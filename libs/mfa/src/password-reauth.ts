import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '@identity/passwords';
import type { User } from '@identity/users';

/** Re-authentication with the password before a change to the account's second factor. */
@Injectable()
export class PasswordReauth {
  constructor(private readonly hasher: PasswordHasher) {}

  /** Whether `password` is the account's password; the same argon2 work when it has none. */
  async matches(user: Pick<User, 'password'>, password: string): Promise<boolean> {
    return (await this.hasher.verifyStored(user.password, password)).valid;
  }
}
