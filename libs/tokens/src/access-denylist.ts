import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '@identity/config';
import { KV_STORE, type KvStore } from '@identity/kv';
import { CLOCK_LEEWAY_SECONDS } from './signing-key.service';
import { Clock } from '@identity/kernel';

const jtiKey = (jti: string): string => `deny:jti:${jti}`;
const sidKey = (sessionId: string): string => `deny:sid:${sessionId}`;

/**
 * Kills access tokens before their `exp`: one token by jti (logout), or every token of some
 * sessions by session id (revocation, reuse detection, lock). Entries live only as long as a
 * token they target could, so the store never grows beyond the live tokens.
 */
@Injectable()
export class AccessDenylist {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    @Inject(KV_STORE) private readonly kv: KvStore,
    private readonly clock: Clock,
  ) {}

  /**
   * Denies one token until it expires (TTL = seconds left, at least 1).
   * @throws when the kv store cannot be reached.
   */
  async denyToken(jti: string, expiresAt: Date): Promise<void> {
    const ttl = Math.max(1, Math.ceil((expiresAt.getTime() - this.clock.nowMs()) / 1000));
    await this.kv.set(jtiKey(jti), '1', ttl);
  }

  /**
   * Denies every access token of these sessions at once. No access token outlives the TTL
   * (verification enforces it), so the entry needs to live no longer than that plus leeway.
   * @throws when the kv store cannot be reached.
   */
  async denySessions(sessionIds: readonly string[]): Promise<void> {
    const ttl = this.config.jwt.accessTtl + CLOCK_LEEWAY_SECONDS;
    await Promise.all(sessionIds.map((id) => this.kv.set(sidKey(id), '1', ttl)));
  }

  /**
   * True when the token or its session is denied; one kv round trip (hot path).
   * @throws when the kv store cannot be reached (callers fail closed).
   */
  async isDenied(jti: string, sessionId: string): Promise<boolean> {
    const hits = await this.kv.getMany([jtiKey(jti), sidKey(sessionId)]);
    return hits.some((hit) => hit !== null);
  }
}
