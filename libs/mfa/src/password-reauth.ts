import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '@identity/passwords';
import { LoginThrottle } from '@identity/protection';
import type { User } from '@identity/users';

/**
 * Re-authentication with the password before a change to the account's second factor. It
 * shares the account's sign-in limits: a stolen session must not be a way to guess the
 * password outside them.
 */
@Injectable()
export class PasswordReauth {
  constructor(
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
  ) {}

  /**
   * Whether `password` is the account's password; the same argon2 work when it has none.
   * @throws ThrottledError `protection.too_many_attempts` past the account's sign-in limits.
   */
  matches(
    user: Pick<User, 'id' | 'email' | 'password'>,
    password: string,
    client: { ip: string },
  ): Promise<boolean> {
    return this.throttle.guard(
      { email: user.email, ip: client.ip, userId: user.id },
      async () => (await this.hasher.verifyStored(user.password, password)).valid,
    );
  }
}
