import { Injectable } from '@nestjs/common';
import { Database, type Tx } from '@identity/database';
import { CodeConfirmedChange, MfaError } from '@identity/mfa';
import { PasswordHasher } from '@identity/passwords';
import { LoginThrottle } from '@identity/protection';
import type { ClientContext } from '@identity/sessions';
import type { User } from '@identity/users';
import { AccountError } from './account.errors';

/**
 * How the person behind a signed-in session proves, again, that they own the account before a
 * change that cannot be taken back (a new address, the account's deletion): the password, or a
 * current code of the account's authenticator app (for an account that has no password).
 */
export type ReauthProof = { password: string } | { code: string };

/**
 * Re-authentication before a self-service change. A stolen access token alone must not be
 * enough, and re-authentication must not be a way to guess outside the limits: a password
 * counts against the account's sign-in limits (`LoginThrottle`, as change-password does), a
 * code against its MFA budget and is used up (each time step once). Both answer the same
 * refusal, so neither tells which proof the account could have given.
 */
@Injectable()
export class Reauthentication {
  constructor(
    private readonly db: Database,
    private readonly hasher: PasswordHasher,
    private readonly loginThrottle: LoginThrottle,
    private readonly codeConfirmed: CodeConfirmedChange,
  ) {}

  /**
   * Checks the proof, then runs `change` in a transaction (for a code, the one that uses the
   * code up, so a failed change leaves the code and its attempt unspent).
   * @throws AccountError `account.invalid_credentials` for a wrong password or code (or a code
   *   of an account without an authenticator app).
   * @throws ThrottledError `protection.too_many_attempts` past the account's limits.
   */
  async run<T>(
    input: { user: User; proof: ReauthProof; client: ClientContext },
    change: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    const { user, proof, client } = input;
    if ('password' in proof) {
      const valid = await this.loginThrottle.guard(
        { email: user.email, ip: client.ip, userId: user.id },
        async () => (await this.hasher.verifyStored(user.password, proof.password)).valid,
      );
      if (!valid) throw new AccountError('account.invalid_credentials');
      return this.db.withTransaction(change);
    }
    try {
      return await this.codeConfirmed.run({ user, proof: { code: proof.code } }, change);
    } catch (err) {
      if (err instanceof MfaError && err.code === 'mfa.code_invalid') {
        throw new AccountError('account.invalid_credentials');
      }
      throw err;
    }
  }
}
