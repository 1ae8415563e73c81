import { Injectable } from '@nestjs/common';
import { PasswordHasher } from '@identity/passwords';
import type { MfaAccount } from './mfa-account.repository';

/** Re-authentication with the password before a change to the account's second factor. */
@Injectable()
export class PasswordReauth {
  constructor(private readonly hasher: PasswordHasher) {}

  /** Whether `password` is the account's password; the same argon2 work when it has none. */
  async matches(account: MfaAccount, password: string): Promise<boolean> {
    if (!account.password) {
      // A federated-only account has no password to know; same work as a wrong one.
      await this.hasher.verifyDummy(password);
      return false;
    }
    const { valid } = await this.hasher.verify({
      hash: account.password.hash,
      pepperVersion: account.password.pepperVersion,
      password,
    });
    return valid;
  }
}
