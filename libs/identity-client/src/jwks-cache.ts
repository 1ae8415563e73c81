import { importJWK, type JWK } from 'jose';

/** The key asked for is not known and the JWKS cannot be consulted now: decide elsewhere. */
export class JwksUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`JWKS unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'JwksUnavailableError';
  }
}

/** A verification key and the one algorithm it verifies. */
export interface VerificationKey {
  key: Awaited<ReturnType<typeof importJWK>>;
  alg: string;
}

export interface JwksCacheOptions {
  /** Per fetch. Default 3000 ms. */
  timeoutMs?: number;
  /**
   * Least time between two fetches for an unknown `kid`: a flood of tokens with made-up kids
   * costs the platform one JWKS fetch per this interval (the tokens between go to the
   * platform's VerifyToken). Default 10000 ms.
   */
  cooldownMs?: number;
  now?: () => number;
}

/** Keys this SDK verifies platform tokens with: asymmetric signature algorithms only. */
const ALGORITHMS = new Set([
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'EdDSA',
]);
const DEFAULT_MAX_AGE_MS = 300_000;

/**
 * The platform's signing keys, by `kid`, from its JWKS. Kept for the answer's
 * `Cache-Control: max-age` (then refreshed in the background while the old keys keep
 * answering), and refetched at once for an unknown `kid` (a rotation), at most once per
 * cooldown. Keys without `alg`, or not for signatures, are ignored: a key verifies only with
 * the algorithm it names.
 */
export class JwksCache {
  private keys = new Map<string, VerificationKey>();
  private fetchedAt: number | undefined;
  private maxAgeMs = DEFAULT_MAX_AGE_MS;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastError: unknown;
  private fetching: Promise<void> | undefined;
  private readonly timeoutMs: number;
  private readonly cooldownMs: number;
  private readonly now: () => number;

  constructor(
    private readonly url: string,
    options: JwksCacheOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 3_000;
    this.cooldownMs = options.cooldownMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The key named `kid`, or null when a fetch made for this very question shows the platform
   * does not publish it (the token is not one of its own).
   * @throws JwksUnavailableError when `kid` is unknown and the JWKS cannot be consulted now:
   *   it is down, or was fetched less than a cooldown ago (a new key may have been published
   *   since; the caller lets the platform decide instead of refusing a good token).
   */
  async key(kid: string): Promise<VerificationKey | null> {
    const known = this.keys.get(kid);
    if (known) {
      if (this.stale()) this.refreshInBackground();
      return known;
    }
    const before = this.fetchedAt;
    if (before === undefined || this.now() - this.lastAttemptAt >= this.cooldownMs) {
      await this.refresh();
    } else if (this.fetching) {
      await this.fetching.catch(() => undefined);
    }
    const found = this.keys.get(kid);
    if (found) return found;
    if (this.fetchedAt !== before) return null;
    throw new JwksUnavailableError(this.lastError ?? 'asked again within the cooldown');
  }

  /** Fetches now (at boot, so the first request does not wait). Never rejects. */
  warm(): Promise<void> {
    return this.refresh().catch(() => undefined);
  }

  private stale(): boolean {
    return this.fetchedAt === undefined || this.now() - this.fetchedAt > this.maxAgeMs;
  }

  private refreshInBackground(): void {
    if (this.now() - this.lastAttemptAt < this.cooldownMs) return;
    void this.refresh().catch(() => undefined);
  }

  /** One fetch at a time; a failure keeps the keys already known. */
  private refresh(): Promise<void> {
    this.fetching ??= this.fetchKeys().finally(() => {
      this.fetching = undefined;
    });
    return this.fetching.catch((err: unknown) => {
      this.lastError = err;
    });
  }

  private async fetchKeys(): Promise<void> {
    this.lastAttemptAt = this.now();
    const res = await fetch(this.url, {
      signal: AbortSignal.timeout(this.timeoutMs),
      redirect: 'error',
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`JWKS answered ${res.status}`);
    const body = (await res.json()) as { keys?: unknown };
    if (!Array.isArray(body.keys)) throw new Error('JWKS without keys');
    const keys = new Map<string, VerificationKey>();
    for (const jwk of body.keys as JWK[]) {
      if (typeof jwk.kid !== 'string' || typeof jwk.alg !== 'string') continue;
      if (!ALGORITHMS.has(jwk.alg) || (jwk.use !== undefined && jwk.use !== 'sig')) continue;
      if ('d' in jwk) continue; // a private key has no business here
      try {
        keys.set(jwk.kid, { key: await importJWK(jwk, jwk.alg), alg: jwk.alg });
      } catch {
        // An unusable entry invalidates only itself.
      }
    }
    this.keys = keys;
    this.fetchedAt = this.now();
    this.maxAgeMs = maxAgeOf(res.headers.get('cache-control'));
  }
}

function maxAgeOf(cacheControl: string | null): number {
  const match = /(?:^|,)\s*max-age=(\d+)/i.exec(cacheControl ?? '');
  if (!match) return DEFAULT_MAX_AGE_MS;
  return Math.min(3_600_000, Math.max(10_000, Number(match[1]) * 1000));
}
