import { Injectable, Logger } from '@nestjs/common';
import { AccessService } from '@identity/access';
import { EventBus, type LoginFailureReason, type SignInMethod } from '@identity/audit';
import { Database, type Tx } from '@identity/database';
import { assertUnreachable } from '@identity/kernel';
import { type MfaChallenge, MfaChallengeService } from '@identity/mfa';
import { type ClientContext, SessionService, type TokenPair } from '@identity/sessions';
import { signInBlocker, type User } from '@identity/users';
import { SignInError, type SignInErrorCode } from './signin.errors';

/**
 * How a sign-in ends: a session, or (for a user with a second factor) the `mfa_token` that
 * the MFA step completes the sign-in with; no session exists until then.
 */
export type SignInResult =
  | { kind: 'tokens'; pair: TokenPair; userId: string; amr: string[] }
  | ({ kind: 'mfa_required'; userId: string } & MfaChallenge);

/** A session the sign-in has earned: who, how (`amr`, `method`), from where. */
export interface CompletedSignIn {
  userId: string;
  /** e.g. `['pwd']`, `['pwd','otp']`, `['fed']`, `['fed','rec']`. */
  amr: string[];
  method: SignInMethod;
  deviceName?: string;
  client: ClientContext;
  /** Keyed hash of the client IP, for the events. */
  ipHash: string;
}

/** A first factor (a password, a federated provider) that passed for `user`. */
export interface FirstFactorPassed extends CompletedSignIn {
  user: Pick<User, 'id' | 'status' | 'emailVerifiedAt'> & { mfaEnabled: boolean };
  /**
   * Runs once the account's state is known, before any transaction: settles the first
   * factor's attempt limits (a right password ends the failure streak; for a locked or
   * unverified account the attempt is given back, it was no failure) and, when `allowed`,
   * prepares slow work for {@link alongside} (a rehash).
   */
  settle?: (allowed: boolean) => Promise<void>;
  /**
   * Writes that belong to this sign-in (a password rehash): in the session's transaction, or
   * on their own (no `tx`) when the sign-in stops at the MFA step.
   */
  alongside?: (tx?: Tx) => Promise<void>;
}

/** The context of a refusal, for its `auth.login.failed` event. */
export interface RefusalContext {
  userId?: string;
  ipHash: string;
  /** How the refused sign-in came; a federated one also names its provider. */
  method?: SignInMethod;
  provider?: string;
  /** A finer, non-personal reason (where a federated round trip failed). */
  detail?: string;
}

const FAILURE_REASON: Record<SignInErrorCode, LoginFailureReason> = {
  'signin.invalid_credentials': 'invalid_credentials',
  'signin.email_not_verified': 'email_not_verified',
  'signin.account_locked': 'account_locked',
  'signin.mfa_invalid': 'mfa_invalid',
};

/**
 * The sign-in core: every way of signing in (password, the MFA step, federated providers)
 * finishes here and is refused here. Finishing opens the session, mints its tokens and emits
 * `auth.login.succeeded` in one transaction; refusing emits `auth.login.failed` and throws.
 * Nothing else opens a session for a sign-in.
 */
@Injectable()
export class SignInCore {
  private readonly logger = new Logger('SignIn');

  constructor(
    private readonly db: Database,
    private readonly sessions: SessionService,
    private readonly challenges: MfaChallengeService,
    private readonly access: AccessService,
    private readonly events: EventBus,
  ) {}

  /**
   * After a first factor passed: refuses a locked or unverified account (only now, after the
   * credentials: whether an account is locked is nobody else's business), settles the first
   * factor's limits, then either asks for the second factor or opens the session.
   * @throws SignInError `signin.account_locked` or `signin.email_not_verified`.
   * @throws TokensError when no signing key is loaded (nothing is written then).
   */
  async afterFirstFactor(passed: FirstFactorPassed): Promise<SignInResult> {
    const blocker = signInBlocker(passed.user);
    await passed.settle?.(blocker === null);
    if (blocker)
      return this.refuse(refusalOf(blocker), {
        userId: passed.userId,
        ipHash: passed.ipHash,
        method: passed.method,
      });
    if (passed.user.mfaEnabled) {
      await passed.alongside?.();
      const challenge = await this.challenges.issue({
        userId: passed.userId,
        amr: passed.amr,
        method: passed.method,
        deviceName: passed.deviceName,
        ipHash: passed.ipHash,
      });
      return { kind: 'mfa_required', userId: passed.userId, ...challenge };
    }
    // The first token's roles then come from memory, inside the transaction.
    await this.access.prime(passed.userId);
    return this.db.withTransaction(async (tx) => {
      await passed.alongside?.(tx);
      const pair = await this.complete(tx, passed);
      return { kind: 'tokens', pair, userId: passed.userId, amr: passed.amr };
    });
  }

  /**
   * The one way a sign-in finishes, in the caller's transaction: the session opens (its first
   * token pair minted) and `auth.login.succeeded` is emitted with it.
   * @throws TokensError when no signing key is loaded (the transaction then rolls back).
   */
  async complete(tx: Tx, signIn: CompletedSignIn): Promise<TokenPair> {
    const pair = await this.sessions.open(tx, {
      userId: signIn.userId,
      amr: signIn.amr,
      deviceName: signIn.deviceName,
      client: signIn.client,
    });
    await this.events.emit(tx, 'auth.login.succeeded', {
      userId: signIn.userId,
      sessionId: pair.sessionId,
      amr: signIn.amr,
      method: signIn.method,
      ipHash: signIn.ipHash,
    });
    return pair;
  }

  /**
   * The one way a sign-in is refused: `auth.login.failed` is recorded in a small transaction of
   * its own (the request fails, but the attempt must be on record), then the refusal is
   * thrown. An audit failure is logged and does not mask the refusal.
   * @throws SignInError `code`, always.
   */
  async refuse(code: SignInErrorCode, context: RefusalContext): Promise<never> {
    await this.recordRefusal(FAILURE_REASON[code], context);
    throw new SignInError(code);
  }

  /**
   * Records a refused sign-in (`auth.login.failed`) that its caller answers in its own way (a
   * federated round trip goes back to the browser as `?error=`; an exchange code that does not
   * work is `token_invalid`), in a small transaction of its own. Never throws: an audit
   * failure is logged and must not mask the refusal.
   */
  async recordRefusal(reason: LoginFailureReason, context: RefusalContext): Promise<void> {
    try {
      await this.db.withTransaction((tx) =>
        this.events.emit(tx, 'auth.login.failed', {
          reason,
          userId: context.userId,
          ipHash: context.ipHash,
          ...(context.method ? { method: context.method } : {}),
          ...(context.provider ? { provider: context.provider } : {}),
          ...(context.detail ? { detail: context.detail } : {}),
        }),
      );
    } catch (err) {
      this.logger.error(
        `recording a refused sign-in failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}

function refusalOf(blocker: NonNullable<ReturnType<typeof signInBlocker>>): SignInErrorCode {
  switch (blocker) {
    case 'locked':
      return 'signin.account_locked';
    case 'email_not_verified':
      return 'signin.email_not_verified';
    default:
      return assertUnreachable(blocker, 'sign-in blocker');
  }
}
