import { Inject, Injectable } from '@nestjs/common';
import type { SignInMethod } from '@identity/audit';
import { type AppConfig, InjectConfig } from '@identity/config';
import { hashToken, MAX_PRESENTED_TOKEN_LENGTH, randomToken } from '@identity/crypto';
import { KV_STORE, type KvStore } from '@identity/kv';

/** The second factors a login can be completed with (API.md: login's `methods`). */
export const MFA_METHODS = ['totp', 'recovery_code'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/** What a first factor hands to the MFA step. */
export interface MfaChallengeInput {
  userId: string;
  /** Methods of the first factor, e.g. `['pwd']`; the second factor's method is appended. */
  amr: string[];
  /** How the first factor was passed (the sign-in's `method` in its events). */
  method: SignInMethod;
  deviceName?: string;
  /** Keyed hash of the client IP at the first factor (for the audit trail). */
  ipHash?: string;
}

/** An issued challenge, as the login answers it. */
export interface MfaChallenge {
  /** Opaque, 256 random bits; the client returns it to `/auth/mfa/verify`. */
  mfaToken: string;
  methods: MfaMethod[];
}

/** A live challenge, as the MFA step reads it. */
export interface PendingChallenge extends MfaChallengeInput {
  /** SHA-256 of the token: the only name it has in storage and in rate-limit keys. */
  id: string;
}

const KEY_PREFIX = 'mfa:challenge:';

/**
 * The `mfa_token` of a login that still needs its second factor: short-lived (`MFA_TOKEN_TTL`,
 * 300 s), single use, and bound to that login (its user, first-factor methods and device name
 * are stored with it, so the client cannot change them at the second step).
 *
 * Kept in the kv store rather than Postgres: it is ephemeral state whose loss costs the user
 * one more password entry, the store expires it by itself (no purge job), and single use is an
 * atomic DELETE that exactly one request can win. Only the token's SHA-256 is used as a key,
 * so a dump of Redis (or its `MONITOR` output) holds no live token.
 */
@Injectable()
export class MfaChallengeService {
  constructor(
    @Inject(KV_STORE) private readonly kv: KvStore,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Issues a challenge for a login whose first factor passed. */
  async issue(input: MfaChallengeInput): Promise<MfaChallenge> {
    const mfaToken = randomToken(32);
    const state: MfaChallengeInput = {
      userId: input.userId,
      amr: [...input.amr],
      method: input.method,
      deviceName: input.deviceName,
      ipHash: input.ipHash,
    };
    const stored = await this.kv.setIfAbsent(
      key(hashToken(mfaToken)),
      JSON.stringify(state),
      this.config.tokenTtl.mfa,
    );
    // 256 random bits do not collide; if the store says otherwise, refuse rather than share.
    if (!stored) throw new Error('mfa challenge could not be stored');
    return { mfaToken, methods: [...MFA_METHODS] };
  }

  /** The live challenge of `mfaToken`, without using it; null when unknown, expired or used. */
  async find(mfaToken: string): Promise<PendingChallenge | null> {
    if (!mfaToken || mfaToken.length > MAX_PRESENTED_TOKEN_LENGTH) return null;
    const id = hashToken(mfaToken);
    const raw = await this.kv.get(key(id));
    if (raw === null) return null;
    const state = parseState(raw);
    return state ? { id, ...state } : null;
  }

  /**
   * Uses the challenge up. Exactly one caller gets true, however many race with one token:
   * the store's DELETE is atomic.
   */
  async claim(challengeId: string): Promise<boolean> {
    return (await this.kv.delete(key(challengeId))) === 1;
  }

  /** Kills the challenge (too many wrong codes): its next use answers like an unknown token. */
  async kill(challengeId: string): Promise<void> {
    await this.kv.delete(key(challengeId));
  }
}

function key(challengeId: string): string {
  return `${KEY_PREFIX}${challengeId}`;
}

/** The store is ours, but a value written by another version must not crash the step. */
function parseState(raw: string): MfaChallengeInput | null {
  try {
    const value = JSON.parse(raw) as Partial<MfaChallengeInput>;
    if (typeof value.userId !== 'string' || !Array.isArray(value.amr)) return null;
    return {
      userId: value.userId,
      amr: value.amr.filter((m): m is string => typeof m === 'string'),
      // Challenges stored before `method` existed were all password sign-ins.
      method: value.method === 'federated' ? 'federated' : 'password',
      deviceName: typeof value.deviceName === 'string' ? value.deviceName : undefined,
      ipHash: typeof value.ipHash === 'string' ? value.ipHash : undefined,
    };
  } catch {
    return null;
  }
}
