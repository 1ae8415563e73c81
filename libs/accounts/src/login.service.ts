import { Injectable, Logger } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { EventBus, type LoginFailureReason } from '@identity/audit';
import { Database } from '@identity/database';
import { type MfaChallenge, MfaChallengeService } from '@identity/mfa';
import { type LoginAttempt, LoginThrottle } from '@identity/protection';
import { PasswordHasher } from '@identity/passwords';
import { type ClientContext, IpHasher, SessionService, type TokenPair } from '@identity/sessions';
import { AccountError, type AccountErrorCode } from './account.errors';
import { isValidEmail, normalizeEmail } from './email';
import { type LoginCandidate, UserRepository } from './user.repository';

/** What `POST /auth/login` carries. */
export interface LoginInput {
  email: string;
  password: string;
  deviceName?: string;
}

/**
 * The outcome of a correct password: a session, or (for a user with a second factor) the
 * mfa_token that `/auth/mfa/verify` completes the login with; no session exists until then.
 */
export type LoginResult =
  | { kind: 'tokens'; pair: TokenPair; userId: string }
  | ({ kind: 'mfa_required'; userId: string } & MfaChallenge);

/** A user whose password is known to be right, with what the login must still do. */
interface Authenticated {
  user: LoginCandidate & { passwordHash: string };
  needsRehash: boolean;
}

/** The refusals of a login, each also audited as `auth.login.failed`. */
type LoginFailureCode = Extract<
  AccountErrorCode,
  'account.invalid_credentials' | 'account.email_not_verified' | 'account.locked'
>;

const FAILURE_REASON: Record<LoginFailureCode, LoginFailureReason> = {
  'account.invalid_credentials': 'invalid_credentials',
  'account.email_not_verified': 'email_not_verified',
  'account.locked': 'account_locked',
};

/** Password login: checks the credentials and opens a session. */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly db: Database,
    private readonly users: UserRepository,
    private readonly hasher: PasswordHasher,
    private readonly sessions: SessionService,
    private readonly events: EventBus,
    private readonly ipHasher: IpHasher,
    private readonly mfa: MfaChallengeService,
    private readonly throttle: LoginThrottle,
    private readonly access: AccessService,
  ) {}

  /**
   * Signs in with email and password and opens a session (amr `pwd`), or, when the user has
   * a confirmed second factor, answers `mfa_required` with an mfa_token instead (the session
   * opens at `/auth/mfa/verify`). An unknown email and a
   * wrong password are one error after the same argon2 work. Only after a correct password
   * does the caller learn that the account is locked or unverified. Every refusal is
   * audited as `auth.login.failed`.
   * @throws AccountError `account.invalid_credentials`, `account.locked` or
   *   `account.email_not_verified`.
   * @throws ThrottledError `protection.too_many_attempts` while the (email, IP) pair is in
   *   backoff or the email's or IP's failure budget is spent (checked before the password).
   */
  async login(input: LoginInput, client: ClientContext): Promise<LoginResult> {
    const ipHash = this.ipHasher.hash(client.ip);
    const attempt = { email: input.email, ip: client.ip };
    await this.throttle.assertAllowed(attempt);
    const { user, needsRehash } = await this.authenticate(input, ipHash, attempt);
    // The password was right: this pair's consecutive-failure count starts over.
    await this.throttle.recordSuccess(attempt);
    const newHash = needsRehash ? await this.hasher.hash(input.password) : undefined;
    // Compare-and-set: a password changed since we read the row is never overwritten.
    const rehash = newHash && { userId: user.id, previousHash: user.passwordHash, ...newHash };
    if (user.mfaEnabled) {
      // Told only now, after the password: whether an account has MFA is nobody else's business.
      if (rehash) await this.users.replacePasswordHash(rehash);
      const challenge = await this.mfa.issue({
        userId: user.id,
        amr: ['pwd'],
        deviceName: input.deviceName,
        ipHash,
      });
      return { kind: 'mfa_required', userId: user.id, ...challenge };
    }
    // The first token's roles then come from memory, inside the transaction.
    await this.access.prime(user.id);
    return this.db.withTransaction(async (manager) => {
      if (rehash) await this.users.replacePasswordHash(rehash, manager);
      const pair = await this.sessions.open(manager, {
        userId: user.id,
        amr: ['pwd'],
        deviceName: input.deviceName,
        client,
      });
      await this.events.emit(manager, 'auth.login.succeeded', {
        userId: user.id,
        sessionId: pair.sessionId,
        amr: ['pwd'],
        ipHash,
      });
      return { kind: 'tokens', pair, userId: user.id };
    });
  }

  /** Checks the password, then (only then) the account's state. */
  private async authenticate(
    input: LoginInput,
    ipHash: string,
    attempt: LoginAttempt,
  ): Promise<Authenticated> {
    const user = isValidEmail(input.email)
      ? await this.users.findLoginCandidate(normalizeEmail(input.email))
      : null;
    if (!user?.passwordHash || user.passwordPepperVersion === null) {
      // No account (or one without a password): the same argon2 verify as a wrong password,
      // so the answer's timing does not tell an attacker which emails have accounts.
      await this.hasher.verifyDummy(input.password);
      await this.throttle.recordFailure({ ...attempt, userId: user?.id });
      return this.refuse('account.invalid_credentials', ipHash, user?.id);
    }
    const { valid, needsRehash } = await this.hasher.verify({
      hash: user.passwordHash,
      pepperVersion: user.passwordPepperVersion,
      password: input.password,
    });
    if (!valid) {
      await this.throttle.recordFailure({ ...attempt, userId: user.id });
      return this.refuse('account.invalid_credentials', ipHash, user.id);
    }
    if (user.status === 'locked') return this.refuse('account.locked', ipHash, user.id);
    if (!user.emailVerifiedAt) return this.refuse('account.email_not_verified', ipHash, user.id);
    return { user: { ...user, passwordHash: user.passwordHash }, needsRehash };
  }

  /**
   * Audits the failure in a small transaction of its own (the request fails, but the attempt
   * must be on record), then throws. An audit failure is logged and does not mask the refusal.
   */
  private async refuse(code: LoginFailureCode, ipHash: string, userId?: string): Promise<never> {
    try {
      await this.db.withTransaction((manager) =>
        this.events.emit(manager, 'auth.login.failed', {
          reason: FAILURE_REASON[code],
          userId,
          ipHash,
        }),
      );
    } catch (err) {
      this.logger.error(
        `auditing a failed login failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    throw new AccountError(code);
  }
}
