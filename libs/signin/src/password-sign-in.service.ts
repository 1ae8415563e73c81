import { Injectable } from '@nestjs/common';
import { LoginThrottle } from '@identity/protection';
import { PasswordHasher, PasswordHashingOverloadedError } from '@identity/passwords';
import { type ClientContext, IpHasher } from '@identity/sessions';
import {
  isValidEmail,
  normalizeEmail,
  type SignInCandidate,
  type StoredPassword,
  UserRepository,
} from '@identity/users';
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
    // The attempt's points are taken before the password is checked, so a burst of guesses
    // is evaluated no more often than the same guesses one after another.
    const ticket = await this.throttle.begin({ email: input.email, ip: client.ip });
    let checked;
    try {
      checked = await this.check(input);
    } catch (err) {
      // Not evaluated (the hasher shed it, the database is down): it was no failure.
      await this.throttle.refund(ticket);
      throw err;
    }
    const { user, needsRehash } = checked;
    if (!user?.password) {
      await this.throttle.failed(ticket, user?.id);
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
      settle: async (allowed) => {
        if (!allowed) return this.throttle.refund(ticket);
        // The password was right: this pair's streak starts over.
        await this.throttle.succeeded(ticket);
        // Hashed here, before any transaction opens, so no row lock is held through argon2.
        // A hasher too busy for it just leaves the upgrade to a later sign-in.
        if (needsRehash) {
          rehash = await this.hasher.hash(input.password).catch((err: unknown) => {
            if (err instanceof PasswordHashingOverloadedError) return undefined;
            throw err;
          });
        }
      },
      alongside: async (tx) => {
        if (!rehash) return;
        await this.users.replacePasswordHash({ userId: user.id, previousHash, ...rehash }, tx);
      },
    });
  }

  /**
   * The account and whether the password is its own. No account (or one without a password):
   * the same argon2 verify as a wrong password, so the answer's timing does not tell an
   * attacker which emails have accounts; the user is then returned without a password.
   */
  private async check(
    input: PasswordSignInInput,
  ): Promise<{ user: SignInCandidate | null; needsRehash: boolean }> {
    const user = isValidEmail(input.email)
      ? await this.users.findSignInCandidate(normalizeEmail(input.email))
      : null;
    const { valid, needsRehash } = await this.hasher.verifyStored(
      user?.password ?? null,
      input.password,
    );
    return { user: user && (valid ? user : { ...user, password: null }), needsRehash };
  }
}
