import { Injectable } from '@nestjs/common';
import { LoginThrottle } from '@identity/protection';
import { PasswordHasher } from '@identity/passwords';
import { type ClientContext, IpHasher } from '@identity/sessions';
import { isValidEmail, normalizeEmail, type StoredPassword, UserRepository } from '@identity/users';
import { SignInCore, type SignInResult } from './sign-in.core';

/** What `POST /auth/login` carries. */
export interface PasswordSignInInput {
  email: string;
  password: string;
  deviceName?: string;
}

/** Sign-in with email and password (`amr` `pwd`). */
@Injectable()
export class PasswordSignIn {
  constructor(
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly throttle: LoginThrottle,
    private readonly ipHasher: IpHasher,
    private readonly core: SignInCore,
  ) {}

  /**
   * Checks the password, then finishes through the sign-in core: a session, or the MFA step
   * for a user with a second factor. An unknown email and a wrong password are one refusal
   * after the same argon2 work; only after a correct password does the caller learn that the
   * account is locked or unverified. A hash made with outdated parameters or pepper is
   * replaced (compare-and-set, so a password changed meanwhile is never overwritten).
   * @throws SignInError `signin.invalid_credentials`, `signin.account_locked`,
   *   `signin.email_not_verified`.
   * @throws ThrottledError `protection.too_many_attempts` while the (email, IP) pair is in
   *   backoff or the email's or IP's failure budget is spent (checked before the password).
   */
  async signIn(input: PasswordSignInInput, client: ClientContext): Promise<SignInResult> {
    const ipHash = this.ipHasher.hash(client.ip);
    const attempt = { email: input.email, ip: client.ip };
    await this.throttle.assertAllowed(attempt);
    const user = isValidEmail(input.email)
      ? await this.users.findSignInCandidate(normalizeEmail(input.email))
      : null;
    // No account (or one without a password): the same argon2 verify as a wrong password, so
    // the answer's timing does not tell an attacker which emails have accounts.
    const { valid, needsRehash } = await this.hasher.verifyStored(
      user?.password ?? null,
      input.password,
    );
    if (!user?.password || !valid) {
      await this.throttle.recordFailure({ ...attempt, userId: user?.id });
      return this.core.refuse('signin.invalid_credentials', { userId: user?.id, ipHash });
    }
    const previousHash = user.password.hash;
    let rehash: StoredPassword | undefined;
    return this.core.afterFirstFactor({
      user,
      userId: user.id,
      amr: ['pwd'],
      method: 'password',
      deviceName: input.deviceName,
      client,
      ipHash,
      settle: async () => {
        // The password was right: this pair's consecutive-failure count starts over.
        await this.throttle.recordSuccess(attempt);
        // Hashed here, before any transaction opens, so no row lock is held through argon2.
        if (needsRehash) rehash = await this.hasher.hash(input.password);
      },
      alongside: async (tx) => {
        if (!rehash) return;
        await this.users.replacePasswordHash({ userId: user.id, previousHash, ...rehash }, tx);
      },
    });
  }
}
