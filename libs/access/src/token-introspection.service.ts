import { Injectable } from '@nestjs/common';
import { decodeJwt } from 'jose';
import { type AuthRejection, Authenticator } from '@identity/tokens';
import { AccessCache } from './access-cache';
import { isUuid } from '@identity/kernel';

/** Why a token is inactive: what `authenticate()` refuses, or a locked account. */
export type InactiveReason = AuthRejection | 'user_locked';

/** An active token: who it speaks for and what they may do now. */
export interface ActiveToken {
  active: true;
  userId: string;
  sessionId: string;
  jti: string;
  /** The user's roles now (not as minted): a role taken away counts at once. */
  roles: string[];
  permissions: string[];
  expiresAt: Date;
  /** The session was signed in with a second factor (`amr` has `otp` or `rec`). */
  mfa: boolean;
}

/** The outcome of {@link TokenIntrospection.introspect}. */
export type Introspection = ActiveToken | { active: false; reason: InactiveReason };

/** `amr` values that prove a second factor (TOTP, recovery code). */
const SECOND_FACTORS: ReadonlySet<string> = new Set(['otp', 'rec']);

/**
 * "Is this token good, and what may its user do?" for internal services (gRPC `VerifyToken`).
 * From memory and one kv round trip: signature, key, algorithm, lifetime, issuer and audience
 * (keys in memory), the denylist (jti and session, one kv read), the account's lock state and
 * its permissions resolved from its current roles ({@link AccessCache}).
 */
@Injectable()
export class TokenIntrospection {
  constructor(
    private readonly authenticator: Authenticator,
    private readonly cache: AccessCache,
  ) {}

  /**
   * @param audience expected `aud`; absent or empty = the platform's default audience.
   * @throws when the kv store (denylist) or, on a cache miss, Postgres cannot be reached:
   *   fail closed, the transport answers an error rather than a verdict.
   */
  async introspect(token: string, audience?: string): Promise<Introspection> {
    const result = await this.authenticator.authenticate(token, {
      audience: audience || undefined,
    });
    if (!result.ok) {
      // A locked account's sessions are denylisted too; name the stronger reason. `revoked`
      // comes only after the signature and claims verified, so the payload is trustworthy.
      if (result.reason === 'revoked' && (await this.isLocked(tokenSubject(token)))) {
        return { active: false, reason: 'user_locked' };
      }
      return { active: false, reason: result.reason };
    }
    const { principal } = result;
    const subject = await this.cache.subject(principal.userId);
    // An account deleted since the token was minted: nothing it may do.
    if (!subject) return { active: false, reason: 'revoked' };
    if (subject.locked) return { active: false, reason: 'user_locked' };
    return {
      active: true,
      userId: principal.userId,
      sessionId: principal.sessionId,
      jti: principal.jti,
      roles: subject.roles,
      permissions: await this.cache.permissionsOf(subject.roles),
      expiresAt: principal.expiresAt,
      mfa: principal.amr.some((m) => SECOND_FACTORS.has(m)),
    };
  }

  private async isLocked(userId: string | undefined): Promise<boolean> {
    if (!isUuid(userId)) return false;
    return (await this.cache.subject(userId))?.locked ?? false;
  }
}

function tokenSubject(token: string): string | undefined {
  try {
    const { sub } = decodeJwt(token);
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}
